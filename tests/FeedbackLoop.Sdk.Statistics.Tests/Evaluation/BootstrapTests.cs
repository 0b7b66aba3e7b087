using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Evaluation;

// Percentile bootstrap (Efron and Tibshirani 1993, chapter 13): the interval widths are checked against the analytic
// standard errors they estimate — the binomial one for accuracy and Hanley and McNeil's (Radiology 143(1), 1982,
// table 2 formula) for ROC AUC.
public sealed class BootstrapTests
{
    [Fact]
    public void Interval_RocAuc_HasTheHanleyMcNeilWidthAndIsSeeded()
    {
        (bool[] actual, double[] scores) = Scored(seed: 3, n: 2_000);
        double auc = BinaryClassificationMetrics.RocAuc(actual, scores);
        double positives = actual.Count(a => a);
        double negatives = actual.Length - positives;
        double q1 = auc / (2 - auc);
        double q2 = 2 * auc * auc / (1 + auc);
        double standardError = Math.Sqrt(((auc * (1 - auc)) + ((positives - 1) * (q1 - (auc * auc))) + ((negatives - 1) * (q2 - (auc * auc)))) / (positives * negatives));

        MetricEstimate estimate = Bootstrap.Interval(Metric.RocAuc, actual, [], scores, resamples: 1_000, seed: 11);

        estimate.Value.Should().Be(auc);
        estimate.Resamples.Should().Be(1_000);
        (estimate.Upper - estimate.Lower).Should().BeApproximately(2 * 1.96 * standardError, 0.2 * 2 * 1.96 * standardError);
        estimate.Lower.Should().BeLessThan(auc);
        estimate.Upper.Should().BeGreaterThan(auc);
        Bootstrap.Interval(Metric.RocAuc, actual, [], scores, resamples: 1_000, seed: 11).Should().Be(estimate);
        Bootstrap.Interval(Metric.RocAuc, actual, [], scores, resamples: 1_000, seed: 12).Should().NotBe(estimate);
    }

    [Fact]
    public void Interval_RocAucFastPath_AgreesWithTheGeneralPath()
    {
        // The fast path (scores sorted once, counts drawn in score order) against the general one (a weighted ROC AUC
        // per resample), which by-group evaluation uses: the same interval up to Monte Carlo error.
        (bool[] actual, double[] scores) = Scored(seed: 4, n: 1_000);
        string[] oneGroup = Enumerable.Repeat("all", actual.Length).ToArray();

        MetricEstimate fast = Bootstrap.Interval(Metric.RocAuc, actual, [], scores, resamples: 1_000, seed: 1);
        MetricEstimate general = FeedbackLoop.Evaluation.Groups.GroupedEvaluation
            .Evaluate([Metric.RocAuc], actual, new bool[actual.Length], scores, oneGroup, new() { Resamples = 1_000, Seed = 2 })
            .Overall(Metric.RocAuc)!.Value;

        double width = fast.Upper - fast.Lower;
        general.Value.Should().Be(fast.Value);
        general.Lower.Should().BeApproximately(fast.Lower, 0.1 * width);
        general.Upper.Should().BeApproximately(fast.Upper, 0.1 * width);
    }

    [Fact]
    public void Interval_Accuracy_HasTheBinomialWidth()
    {
        (bool[] actual, double[] scores) = Scored(seed: 5, n: 1_000);
        bool[] predicted = scores.Select(s => s > 0.5).ToArray();
        double accuracy = BinaryClassificationMetrics.Accuracy(actual, predicted);

        MetricEstimate estimate = Bootstrap.Interval(Metric.Accuracy, actual, predicted, [], resamples: 1_000, seed: 2);

        double standardError = Math.Sqrt(accuracy * (1 - accuracy) / actual.Length);
        (estimate.Upper - estimate.Lower).Should().BeApproximately(2 * 1.96 * standardError, 0.15 * 2 * 1.96 * standardError);
    }

    [Fact]
    public void Interval_BadInput_IsRefused()
    {
        (bool[] actual, double[] scores) = Scored(seed: 6, n: 50);
        Action noResamples = () => Bootstrap.Interval(Metric.RocAuc, actual, [], scores, resamples: 0);
        Action badLevel = () => Bootstrap.Interval(Metric.RocAuc, actual, [], scores, confidenceLevel: 1.5);
        Action oneClass = () => Bootstrap.Interval(Metric.RocAuc, [true, true], [], [0.2, 0.4]);
        Action undefinedRecall = () => Bootstrap.Interval(Metric.Recall, [false, false], [true, false], []);

        noResamples.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("resamples");
        badLevel.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("confidenceLevel");
        oneClass.Should().Throw<ArgumentException>().WithMessage("*one class*");
        undefinedRecall.Should().Throw<ArgumentException>().WithMessage("*no positive examples*");
    }

    private static (bool[] Actual, double[] Scores) Scored(ulong seed, int n)
    {
        var random = new SplitMix64(seed);
        bool[] actual = new bool[n];
        double[] scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            actual[i] = random.NextDouble() < 0.4;
            scores[i] = Math.Clamp((actual[i] ? 0.62 : 0.38) + (0.25 * (random.NextDouble() - 0.5) * 2), 0, 1);
        }

        return (actual, scores);
    }
}
