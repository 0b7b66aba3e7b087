using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.MLNet;

/// <summary>
/// How a loop's schema maps to ML.NET columns: one column per feature, named as the feature (numeric features
/// <see cref="NumberDataViewType.Single"/>, categorical ones text), and the label, weight and features columns under
/// ML.NET's conventional names ("Label", "Weight", "Features") unless a feature already has that name, in which case an
/// underscore is appended until the name is free.
/// </summary>
internal sealed class MLNetColumns
{
    private MLNetColumns(FeatureSchema schema)
    {
        Schema = schema;
        Numeric = [.. schema.NumericFeatures.Select(f => f.Name)];
        Categorical = [.. schema.CategoricalFeatures.Select(f => f.Name)];
        Label = Free(schema, "Label");
        Weight = Free(schema, "Weight");
        Features = Free(schema, "Features");
        Input = BuildInput(schema, Numeric, Categorical);
    }

    public FeatureSchema Schema { get; }

    /// <summary>Gets the numeric features' column names, by ordinal.</summary>
    public string[] Numeric { get; }

    /// <summary>Gets the categorical features' column names, by ordinal.</summary>
    public string[] Categorical { get; }

    public string Label { get; }

    public string Weight { get; }

    public string Features { get; }

    /// <summary>Gets the schema a model reads when scoring: the features only, numeric columns first, then categorical ones.</summary>
    public DataViewSchema Input { get; }

    public static MLNetColumns For(FeatureSchema schema) => new(schema);

    private static string Free(FeatureSchema schema, string name)
    {
        while (schema.TryGetFeature(name, out _))
        {
            name += "_";
        }

        return name;
    }

    private static DataViewSchema BuildInput(FeatureSchema schema, string[] numeric, string[] categorical)
    {
        var builder = new DataViewSchema.Builder();
        AddFeatures(builder, numeric, categorical);
        return builder.ToSchema();
    }

    /// <summary>Adds the feature columns, numeric then categorical, so a feature's column index is its ordinal (numeric) or NumericCount + its ordinal.</summary>
    public static void AddFeatures(DataViewSchema.Builder builder, string[] numeric, string[] categorical)
    {
        foreach (var name in numeric)
        {
            builder.AddColumn(name, NumberDataViewType.Single);
        }

        foreach (var name in categorical)
        {
            builder.AddColumn(name, TextDataViewType.Instance);
        }
    }
}
