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
    private MLNetColumns(FeatureSchema schema, DataViewSchema? saved)
    {
        Schema = schema;
        Numeric = [.. schema.NumericFeatures.Select(f => f.Name)];
        Categorical = [.. schema.CategoricalFeatures.Select(f => f.Name)];
        Label = Free(schema, "Label");
        Weight = Free(schema, "Weight");
        Features = Free(schema, "Features");
        Extra = saved is null ? [] : [.. saved.Where(c => !c.IsHidden && !schema.TryGetFeature(c.Name, out _)).DistinctBy(c => c.Name)];
        Input = BuildInput(Numeric, Categorical, Extra);
    }

    public FeatureSchema Schema { get; }

    /// <summary>Gets the numeric features' column names, by ordinal.</summary>
    public string[] Numeric { get; }

    /// <summary>Gets the categorical features' column names, by ordinal.</summary>
    public string[] Categorical { get; }

    public string Label { get; }

    public string Weight { get; }

    public string Features { get; }

    /// <summary>
    /// Gets the columns of a model's saved input schema that are not features (typically the label a host's pipeline
    /// keys with MapValueToKey, which ML.NET then requires at scoring although the score does not read it): scoring
    /// gives them their default value, as a PredictionEngine does for an input class's unset label.
    /// </summary>
    public DataViewSchema.Column[] Extra { get; }

    /// <summary>Gets the schema a model reads when scoring: numeric features, then categorical ones, then <see cref="Extra"/>.</summary>
    public DataViewSchema Input { get; }

    /// <summary>Gets the index of the first <see cref="Extra"/> column in <see cref="Input"/>.</summary>
    public int FeatureCount => Numeric.Length + Categorical.Length;

    public static MLNetColumns For(FeatureSchema schema, DataViewSchema? saved = null) => new(schema, saved);

    private static string Free(FeatureSchema schema, string name)
    {
        while (schema.TryGetFeature(name, out _))
        {
            name += "_";
        }

        return name;
    }

    private static DataViewSchema BuildInput(string[] numeric, string[] categorical, DataViewSchema.Column[] extra)
    {
        var builder = new DataViewSchema.Builder();
        AddFeatures(builder, numeric, categorical);
        foreach (var column in extra)
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

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
