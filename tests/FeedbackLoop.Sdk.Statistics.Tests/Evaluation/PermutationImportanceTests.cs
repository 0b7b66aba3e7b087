using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation.ErrorAnalysis;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Models;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Evaluation;

// Definition under test (Breiman 2001; scikit-learn's permutation_importance): the metric's worsening when one
// feature's values are shuffled — exactly 0 for a feature the model never reads.
public sealed class PermutationImportanceTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("signal").Numeric("noise").Categorical("colour").Build();

    [Fact]
    public void Compute_ModelReadingOneFeature_ReliesOnItAndOnNothingElse()
    {
        LabelledExample[] window = Window(seed: 1, n: 2_000);

        IReadOnlyList<FeatureImportance> importances = PermutationImportance.Compute(new SignalModel(), window, Metric.RocAuc, repeats: 5, seed: 3);

        importances.Select(i => i.Feature).Should().Equal("signal", "noise", "colour");
        importances[0].Mean.Should().BeGreaterThan(0.3, "shuffling the only input the model reads takes its AUC to about 0.5");
        importances[0].Repeats.Should().HaveCount(5).And.OnlyContain(d => d > 0.3);
        importances[0].StandardDeviation.Should().BeGreaterThan(0);
        importances[1].Repeats.Should().OnlyContain(d => d == 0, "the model never reads the noise");
        importances[2].Repeats.Should().OnlyContain(d => d == 0);
    }

    [Fact]
    public void Compute_Loss_IsSignedSoThatPositiveMeansRelied()
    {
        LabelledExample[] window = Window(seed: 2, n: 1_000);

        IReadOnlyList<FeatureImportance> importances = PermutationImportance.Compute(new SignalModel(), window, Metric.LogLoss, repeats: 3, seed: 4);

        importances[0].Feature.Should().Be("signal");
        importances[0].Mean.Should().BeGreaterThan(0.1);
    }

    [Fact]
    public void Compute_SameSeed_GivesTheSameResult()
    {
        LabelledExample[] window = Window(seed: 3, n: 500);

        IReadOnlyList<FeatureImportance> first = PermutationImportance.Compute(new SignalModel(), window, Metric.Accuracy, seed: 9);
        IReadOnlyList<FeatureImportance> again = PermutationImportance.Compute(new SignalModel(), window, Metric.Accuracy, seed: 9);
        IReadOnlyList<FeatureImportance> other = PermutationImportance.Compute(new SignalModel(), window, Metric.Accuracy, seed: 10);

        again[0].Repeats.Should().Equal(first[0].Repeats);
        other[0].Repeats.Should().NotEqual(first[0].Repeats);
    }

    [Fact]
    public void Compute_BadInput_IsRefused()
    {
        LabelledExample[] window = Window(seed: 4, n: 50);
        LabelledExample numericLabel = window[0] with { Label = Label.Numeric(0.5) };
        LabelledExample[] negativesOnly = window.Select(e => e with { Label = Label.Binary(false) }).ToArray();
        var calls = new (Action Call, Type Exception)[]
        {
            (() => PermutationImportance.Compute(null!, window, Metric.RocAuc), typeof(ArgumentNullException)),
            (() => PermutationImportance.Compute(new SignalModel(), null!, Metric.RocAuc), typeof(ArgumentNullException)),
            (() => PermutationImportance.Compute(new SignalModel(), window, null!), typeof(ArgumentNullException)),
            (() => PermutationImportance.Compute(new SignalModel(), [], Metric.RocAuc), typeof(ArgumentException)),
            (() => PermutationImportance.Compute(new SignalModel(), window, Metric.RocAuc, repeats: 0), typeof(ArgumentOutOfRangeException)),
            (() => PermutationImportance.Compute(new SignalModel(), [.. window, numericLabel], Metric.RocAuc), typeof(ArgumentException)),
            (() => PermutationImportance.Compute(new SignalModel(), negativesOnly, Metric.RocAuc), typeof(ArgumentException)),
        };

        foreach ((Action call, Type exception) in calls)
        {
            call.Should().Throw<Exception>().Which.Should().BeOfType(exception);
        }
    }

    private static LabelledExample[] Window(ulong seed, int n)
    {
        var random = new SplitMix64(seed);
        var window = new LabelledExample[n];
        for (int i = 0; i < n; i++)
        {
            double signal = (2 * random.NextDouble()) - 1;
            double noise = random.NextDouble();
            string colour = random.NextDouble() < 0.5 ? "red" : "blue";
            bool label = signal + (0.3 * ((2 * random.NextDouble()) - 1)) > 0;
            FeatureVector features = FeatureVector.Create(Schema, [signal, noise], [colour]);
            var prediction = new Prediction(PredictionId.New(), "model", "1", DateTimeOffset.UnixEpoch, features, PredictionOutput.Binary(0.5));
            window[i] = new LabelledExample(prediction, Label.Binary(label), DateTimeOffset.UnixEpoch);
        }

        return window;
    }

    /// <summary>P(positive) = logistic(6 · signal); reads nothing else.</summary>
    private sealed class SignalModel : IPredictor
    {
        public ModelTask Task => ModelTask.Binary;

        public PredictionOutput Predict(FeatureVector features) =>
            PredictionOutput.Binary(1 / (1 + Math.Exp(-6 * features.GetNumeric("signal"))));
    }
}
