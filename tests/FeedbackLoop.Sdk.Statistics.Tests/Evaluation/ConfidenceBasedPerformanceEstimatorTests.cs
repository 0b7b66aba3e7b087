using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation.Estimation;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Evaluation;

// CBPE (NannyML) on simulated data: x ~ N(μ, 1), P(y = 1 | x) = logistic(2x), and a model whose score is a monotone
// but miscalibrated function of x. Under covariate shift (μ moves) the estimate must track the realised value within its
// band; under concept drift (P(y | x) changes) it cannot, as documented.
public sealed class ConfidenceBasedPerformanceEstimatorTests
{
    [Fact]
    public void Fit_MiscalibratedScores_TurnsCalibrationOn()
    {
        (bool[] actual, double[] scores) = Simulate(seed: 1, n: 5_000, mean: 0, concept: x => 2 * x);

        ConfidenceBasedPerformanceEstimator estimator = ConfidenceBasedPerformanceEstimator.Fit(actual, scores);

        estimator.UsesCalibration.Should().BeTrue();
        estimator.CalibratedError.Should().BeLessThan(estimator.UncalibratedError);
        estimator.UncalibratedError.Should().BeGreaterThan(0.05, "the score is a squashed probability");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.8)]
    [InlineData(-1.0)]
    public void Estimate_CovariateShift_TracksTheRealisedMetricsWithinTheirBands(double shiftedMean)
    {
        (bool[] referenceActual, double[] referenceScores) = Simulate(seed: 2, n: 10_000, mean: 0, concept: x => 2 * x);
        (bool[] actual, double[] scores) = Simulate(seed: 3, n: 5_000, mean: shiftedMean, concept: x => 2 * x);
        ConfidenceBasedPerformanceEstimator estimator = ConfidenceBasedPerformanceEstimator.Fit(referenceActual, referenceScores);

        PerformanceEstimate estimate = estimator.Estimate(scores);

        bool[] predicted = scores.Select(s => s >= 0.5).ToArray();
        ConfusionMatrix realised = ConfusionMatrix.From(actual, predicted);
        estimate.Count.Should().Be(5_000);
        ShouldContain(estimate.Accuracy, realised.Accuracy);
        ShouldContain(estimate.Precision, realised.Precision(1));
        ShouldContain(estimate.Recall, realised.Recall(1));
        ShouldContain(estimate.F1, realised.F1(1));
        ShouldContain(estimate.RocAuc, BinaryClassificationMetrics.RocAuc(actual, scores));
        estimate.Accuracy!.Value.SamplingError.Should().BeApproximately(Math.Sqrt(0.8 * 0.2 / 5_000), 0.004, "about a binomial standard error");
    }

    [Fact]
    public void Estimate_ShiftThatChangesAccuracy_IsFollowed()
    {
        (bool[] referenceActual, double[] referenceScores) = Simulate(seed: 4, n: 10_000, mean: 0, concept: x => 2 * x);
        ConfidenceBasedPerformanceEstimator estimator = ConfidenceBasedPerformanceEstimator.Fit(referenceActual, referenceScores);

        // Inputs far from the decision boundary are easier: accuracy rises when the mean moves away from 0.
        double atReference = estimator.Estimate(Simulate(seed: 5, n: 5_000, mean: 0, concept: x => 2 * x).Scores).Accuracy!.Value.Value;
        double shifted = estimator.Estimate(Simulate(seed: 6, n: 5_000, mean: 2, concept: x => 2 * x).Scores).Accuracy!.Value.Value;

        (shifted - atReference).Should().BeGreaterThan(0.08);
    }

    [Fact]
    public void Estimate_ConceptDrift_IsNotSeen()
    {
        // The labels now follow logistic(2 − 4x), the relation half reversed: the scores, and so the estimate, do not
        // change, but accuracy drops.
        (bool[] referenceActual, double[] referenceScores) = Simulate(seed: 7, n: 10_000, mean: 0, concept: x => 2 * x);
        (bool[] actual, double[] scores) = Simulate(seed: 8, n: 5_000, mean: 0, concept: x => 2 - (4 * x));
        ConfidenceBasedPerformanceEstimator estimator = ConfidenceBasedPerformanceEstimator.Fit(referenceActual, referenceScores);

        EstimatedMetric accuracy = estimator.Estimate(scores).Accuracy!.Value;

        double realised = ConfusionMatrix.From(actual, scores.Select(s => s >= 0.5).ToArray()).Accuracy;
        realised.Should().BeLessThan(accuracy.Lower, "CBPE assumes P(y | score) is unchanged and so misses concept drift");
    }

    [Fact]
    public void Estimate_NoPredictedPositives_LeavesPrecisionUndefined()
    {
        (bool[] referenceActual, double[] referenceScores) = Simulate(seed: 9, n: 2_000, mean: 0, concept: x => 2 * x);
        ConfidenceBasedPerformanceEstimator estimator = ConfidenceBasedPerformanceEstimator.Fit(referenceActual, referenceScores);

        PerformanceEstimate estimate = estimator.Estimate([0.1, 0.2, 0.3]);

        estimate.Precision.Should().BeNull();
        estimate.Accuracy.Should().NotBeNull();
    }

    [Fact]
    public void BadInput_IsRefused()
    {
        (bool[] actual, double[] scores) = Simulate(seed: 10, n: 200, mean: 0, concept: x => 2 * x);
        ConfidenceBasedPerformanceEstimator estimator = ConfidenceBasedPerformanceEstimator.Fit(actual, scores);
        var calls = new (Action Call, Type Exception)[]
        {
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores.AsSpan(1)), typeof(ArgumentException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit([], []), typeof(ArgumentException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual.Select(_ => true).ToArray(), scores), typeof(ArgumentException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores.Select((s, i) => i == 5 ? double.NaN : s).ToArray()), typeof(ArgumentOutOfRangeException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores.Select((s, i) => i == 5 ? 1.5 : s).ToArray()), typeof(ArgumentOutOfRangeException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores, new CbpeOptions { Threshold = 2 }), typeof(ArgumentOutOfRangeException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores, new CbpeOptions { Simulations = 1 }), typeof(ArgumentOutOfRangeException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores, new CbpeOptions { BandWidth = 0 }), typeof(ArgumentOutOfRangeException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores, new CbpeOptions { CalibrationFolds = 1 }), typeof(ArgumentOutOfRangeException)),
            (() => ConfidenceBasedPerformanceEstimator.Fit(actual, scores, new CbpeOptions { CalibrationBins = 1 }), typeof(ArgumentOutOfRangeException)),
            (() => estimator.Estimate([]), typeof(ArgumentException)),
            (() => estimator.Estimate([0.5, -0.1]), typeof(ArgumentOutOfRangeException)),
            (() => IsotonicCalibrator.Fit([true], [0.5]).Calibrate(double.NaN), typeof(ArgumentOutOfRangeException)),
        };

        foreach ((Action call, Type exception) in calls)
        {
            call.Should().Throw<Exception>().Which.Should().BeOfType(exception);
        }
    }

    private static void ShouldContain(EstimatedMetric? estimate, double realised)
    {
        estimate.Should().NotBeNull();
        realised.Should().BeInRange(estimate!.Value.Lower, estimate.Value.Upper);
        (estimate.Value.Upper - estimate.Value.Lower).Should().BeLessThan(0.2, "the band must be narrow enough to mean something");
    }

    /// <summary>x ~ N(mean, 1); y ~ Bernoulli(logistic(concept(x))); score = logistic(2x)^2, monotone but miscalibrated.</summary>
    private static (bool[] Actual, double[] Scores) Simulate(ulong seed, int n, double mean, Func<double, double> concept)
    {
        var random = new SplitMix64(seed);
        bool[] actual = new bool[n];
        double[] scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - random.NextDouble();
            double x = mean + (Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble()));
            actual[i] = random.NextDouble() < 1 / (1 + Math.Exp(-concept(x)));
            double p = 1 / (1 + Math.Exp(-2 * x));
            scores[i] = p * p;
        }

        return (actual, scores);
    }
}
