using System.Text.Json;
using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.Learning;

/// <summary>
/// The scikit-learn reference datasets of the softmax and ridge learners (Reference/softmax_regression.json and
/// Reference/ridge_regression.json, made by Reference/make_linear_models.py).
/// </summary>
internal static class LinearModelTestData
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<IReadOnlyDictionary<string, SoftmaxReference>> Softmax = new(() => Load<SoftmaxReference>("softmax_regression.json"));
    private static readonly Lazy<IReadOnlyDictionary<string, RidgeReference>> Ridge = new(() => Load<RidgeReference>("ridge_regression.json"));

    public static TheoryData<string> ReferenceNames => new() { "numeric", "mixed", "weighted" };

    public static SoftmaxReference SoftmaxCase(string name) => Softmax.Value[name];

    public static RidgeReference RidgeCase(string name) => Ridge.Value[name];

    private static Dictionary<string, T> Load<T>(string file)
        where T : ReferenceCase
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", file);
        var parsed = JsonSerializer.Deserialize<ReferenceFile<T>>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidOperationException($"{path} is empty.");
        parsed.Sklearn.Should().Be("1.2.1");
        return parsed.Datasets.ToDictionary(d => d.Name, StringComparer.Ordinal);
    }

    internal sealed record ReferenceFile<T>(string Sklearn, IReadOnlyList<T> Datasets);

    /// <summary>What both references share: the raw data, the example weights and the encoding StandardScaler and OneHotEncoder learnt.</summary>
    internal abstract record ReferenceCase(
        string Name,
        IReadOnlyList<string> NumericNames,
        IReadOnlyList<string> CategoricalNames,
        IReadOnlyList<double[]> Numeric,
        IReadOnlyList<string[]> Categorical,
        IReadOnlyList<double> Weights,
        IReadOnlyList<double> Means,
        IReadOnlyList<double> Scales,
        IReadOnlyList<IReadOnlyList<string>> Categories)
    {
        public FeatureSchema Schema()
        {
            var builder = FeatureSchema.CreateBuilder();
            foreach (var name in NumericNames)
            {
                builder.Numeric(name);
            }

            foreach (var name in CategoricalNames)
            {
                builder.Categorical(name);
            }

            return builder.Build();
        }

        public FeatureVector Row(FeatureSchema schema, int i) => FeatureVector.Create(schema, Numeric[i], Categorical[i]);

        public IEnumerable<string> ColumnNames() =>
            NumericNames.Concat(CategoricalNames.SelectMany((name, j) => Categories[j].Select(c => $"{name}={c}")));

        protected TrainingSet Build(ModelTask task, Func<int, Label> label)
        {
            var schema = Schema();
            var set = TrainingSet.CreateBuilder(schema, task);
            for (var i = 0; i < Numeric.Count; i++)
            {
                set.Add(Row(schema, i), label(i), Weights[i]);
            }

            return set.Build();
        }
    }

    internal sealed record SoftmaxReference(
        string Name,
        IReadOnlyList<string> NumericNames,
        IReadOnlyList<string> CategoricalNames,
        IReadOnlyList<double[]> Numeric,
        IReadOnlyList<string[]> Categorical,
        IReadOnlyList<double> Weights,
        IReadOnlyList<double> Means,
        IReadOnlyList<double> Scales,
        IReadOnlyList<IReadOnlyList<string>> Categories,
        double L2,
        IReadOnlyList<string> Classes,
        IReadOnlyList<string> Labels,
        IReadOnlyList<string> LearnedClasses,
        IReadOnlyList<double[]> Coefficients,
        IReadOnlyList<double> Intercepts,
        IReadOnlyList<double[]> Probabilities)
        : ReferenceCase(Name, NumericNames, CategoricalNames, Numeric, Categorical, Weights, Means, Scales, Categories)
    {
        public ModelTask Task => ModelTask.Multiclass(Classes);

        public TrainingSet TrainingData() => Build(Task, i => Label.Categorical(Labels[i]));
    }

    internal sealed record RidgeReference(
        string Name,
        IReadOnlyList<string> NumericNames,
        IReadOnlyList<string> CategoricalNames,
        IReadOnlyList<double[]> Numeric,
        IReadOnlyList<string[]> Categorical,
        IReadOnlyList<double> Weights,
        IReadOnlyList<double> Means,
        IReadOnlyList<double> Scales,
        IReadOnlyList<IReadOnlyList<string>> Categories,
        double Alpha,
        IReadOnlyList<double> Labels,
        IReadOnlyList<double> Coefficients,
        double Intercept,
        IReadOnlyList<double> Predictions)
        : ReferenceCase(Name, NumericNames, CategoricalNames, Numeric, Categorical, Weights, Means, Scales, Categories)
    {
        public TrainingSet TrainingData() => Build(ModelTask.Regression, i => Label.Numeric(Labels[i]));
    }
}
