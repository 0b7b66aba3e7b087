using System.Text.Json;
using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.Learning;

/// <summary>
/// The scikit-learn reference datasets (Reference/logistic_regression.json, made by Reference/make_logistic_regression.py)
/// and small builders for training data.
/// </summary>
internal static class LogisticRegressionTestData
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<IReadOnlyDictionary<string, ReferenceDataset>> Datasets = new(Load);

    public static ReferenceDataset Reference(string name) => Datasets.Value[name];

    public static LabelledExample Example(FeatureVector features, Label label) =>
        new(
            new Prediction(PredictionId.New(), "test-model", "v0", DateTimeOffset.UnixEpoch, features, PredictionOutput.FromLabel(Label.None)),
            label,
            DateTimeOffset.UnixEpoch);

    public static LabelledExample Example(FeatureVector features, bool label) => Example(features, Label.Binary(label));

    /// <summary>A two-feature numeric dataset whose classes are separated by x0 + x1 = 0 up to 5% label noise.</summary>
    public static ExampleSet Separable(int n, int seed)
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x0").Numeric("x1").Build();
        var random = new Random(seed);
        var examples = new List<LabelledExample>(n);
        for (var i = 0; i < n; i++)
        {
            var x0 = (random.NextDouble() * 4.0) - 2.0;
            var x1 = (random.NextDouble() * 4.0) - 2.0;
            var label = x0 + x1 > 0.0;
            if (random.NextDouble() < 0.05)
            {
                label = !label;
            }

            examples.Add(Example(FeatureVector.Create(schema, [x0, x1]), label));
        }

        return new ExampleSet(schema, examples);
    }

    /// <summary>Labelled examples as the tests build them; a trainer receives them as a <see cref="TrainingSet"/>.</summary>
    internal sealed record ExampleSet(FeatureSchema Schema, IReadOnlyList<LabelledExample> Examples)
    {
        public static implicit operator TrainingSet(ExampleSet data)
        {
            var set = TrainingSet.CreateBuilder(data.Schema, ModelTask.Binary);
            foreach (var example in data.Examples)
            {
                set.Add(example.Prediction.Features, example.Label);
            }

            return set.Build();
        }
    }

    private static Dictionary<string, ReferenceDataset> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", "logistic_regression.json");
        var file = JsonSerializer.Deserialize<ReferenceFile>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidOperationException($"{path} is empty.");
        return file.Datasets.ToDictionary(d => d.Name, StringComparer.Ordinal);
    }

    internal sealed record ReferenceFile(string Sklearn, IReadOnlyList<ReferenceDataset> Datasets);

    internal sealed record ReferenceDataset(
        string Name,
        double L2,
        IReadOnlyList<string> NumericNames,
        IReadOnlyList<string> CategoricalNames,
        IReadOnlyList<double[]> Numeric,
        IReadOnlyList<string[]> Categorical,
        IReadOnlyList<int> Labels,
        IReadOnlyList<double> Means,
        IReadOnlyList<double> Scales,
        IReadOnlyList<IReadOnlyList<string>> Categories,
        IReadOnlyList<double> Coefficients,
        double Intercept,
        IReadOnlyList<double> Probabilities)
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

        public ExampleSet TrainingData()
        {
            var schema = Schema();
            var examples = new List<LabelledExample>(Labels.Count);
            for (var i = 0; i < Labels.Count; i++)
            {
                examples.Add(Example(FeatureVector.Create(schema, Numeric[i], Categorical[i]), Labels[i] == 1));
            }

            return new ExampleSet(schema, examples);
        }

        public IEnumerable<string> ColumnNames() =>
            NumericNames.Concat(CategoricalNames.SelectMany((name, j) => Categories[j].Select(c => $"{name}={c}")));
    }
}
