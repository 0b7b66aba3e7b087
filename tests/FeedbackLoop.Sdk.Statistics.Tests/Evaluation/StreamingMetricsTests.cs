using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Numerics;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Evaluation;

// Hand-computed values, defined answers for empty and one-class windows, merging, bounded AUC error and allocation-free
// updates of the streaming accumulators; scikit-learn agreement is in EvaluationReferenceTests.
public sealed class StreamingMetricsTests
{
    [Fact]
    public void ConfusionMatrix_BinaryCounts_GiveTheTextbookValues()
    {
        // TP 3, FN 1, FP 2, TN 4.
        var matrix = new ConfusionMatrix(2);
        Add(matrix, actual: true, predicted: true, times: 3);
        Add(matrix, actual: true, predicted: false, times: 1);
        Add(matrix, actual: false, predicted: true, times: 2);
        Add(matrix, actual: false, predicted: false, times: 4);

        matrix.Accuracy.Should().BeApproximately(0.7, 1e-15);
        matrix.Precision(1).Should().BeApproximately(0.6, 1e-15);
        matrix.Recall(1).Should().BeApproximately(0.75, 1e-15);
        matrix.F1(1).Should().BeApproximately(2 * 0.6 * 0.75 / 1.35, 1e-15);
        matrix.BalancedAccuracy.Should().BeApproximately((0.75 + (4.0 / 6)) / 2, 1e-15);

        // (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = 10 / sqrt(600); kappa (0.7 − 0.5) / (1 − 0.5).
        matrix.MatthewsCorrelation.Should().BeApproximately(10 / Math.Sqrt(600), 1e-15);
        matrix.CohenKappa.Should().BeApproximately(0.4, 1e-15);
    }

    [Fact]
    public void ConfusionMatrix_GroupWithNoPositives_GivesDefinedZerosNotNaN()
    {
        var matrix = new ConfusionMatrix(2);
        Add(matrix, actual: false, predicted: false, times: 5);

        matrix.Recall(1).Should().Be(0, "recall divides by positives, and there are none");
        matrix.Precision(1).Should().Be(0, "precision divides by predicted positives, and there are none");
        matrix.F1(1).Should().Be(0);
        matrix.MatthewsCorrelation.Should().Be(0);
        matrix.CohenKappa.Should().Be(0);
        matrix.Accuracy.Should().Be(1);
        matrix.BalancedAccuracy.Should().Be(1, "only classes with examples count");
    }

    [Fact]
    public void Accumulators_EmptyWindow_RefuseToReadWithAClearError()
    {
        var reads = new Action[]
        {
            () => _ = new ConfusionMatrix(3).Accuracy,
            () => _ = new ConfusionMatrix(3).Precision(ClassificationAveraging.Macro),
            () => _ = new RegressionAccumulator().MeanAbsoluteError,
            () => _ = new RegressionAccumulator().R2,
            () => _ = new ProbabilityLossAccumulator().LogLoss,
            () => _ = new CalibrationAccumulator().ToCurve(),
            () => _ = new BinnedRocAuc().Value,
            () => _ = new MulticlassLogLossAccumulator(3).LogLoss,
        };

        foreach (Action read in reads)
        {
            read.Should().Throw<InvalidOperationException>().WithMessage("*empty window*");
        }
    }

    [Fact]
    public void Accumulators_ZeroWeightOnly_CountAsEmpty()
    {
        var matrix = new ConfusionMatrix(2);
        matrix.Add(true, true, weight: 0);
        var regression = new RegressionAccumulator();
        regression.Add(1, 2, weight: 0);

        ((Action)(() => _ = matrix.Accuracy)).Should().Throw<InvalidOperationException>();
        ((Action)(() => _ = regression.MeanSquaredError)).Should().Throw<InvalidOperationException>();
        regression.Count.Should().Be(1);
    }

    [Fact]
    public void RegressionAccumulator_OnePair_HasErrorsButNoR2()
    {
        var regression = new RegressionAccumulator();
        regression.Add(2, 5);

        regression.MeanAbsoluteError.Should().Be(3);
        regression.MeanSquaredError.Should().Be(9);
        ((Action)(() => _ = regression.R2)).Should().Throw<InvalidOperationException>().WithMessage("*two*");
    }

    [Fact]
    public void BinnedRocAuc_ContinuousScores_StaysWithinItsReportedBoundOfTheExactAuc()
    {
        var random = new SplitMix64(41);
        int n = 20_000;
        bool[] actual = new bool[n];
        double[] scores = new double[n];
        var binned = new BinnedRocAuc();
        for (int i = 0; i < n; i++)
        {
            actual[i] = random.NextDouble() < 0.3;
            scores[i] = actual[i] ? Math.Sqrt(random.NextDouble()) : random.NextDouble();
            binned.Add(actual[i], scores[i]);
        }

        double exact = BinaryClassificationMetrics.RocAuc(actual, scores);

        binned.ErrorBound.Should().BeLessThan(0.001);
        binned.Value.Should().BeApproximately(exact, binned.ErrorBound);
        Math.Abs(binned.Value - exact).Should().BeGreaterThan(0, "a binned AUC is an approximation; the check above must be able to fail");
    }

    [Fact]
    public void BinnedRocAuc_ScoresOutsideTheRange_AreCountedInTheEndBinsAndStayWithinTheBound()
    {
        var random = new SplitMix64(42);
        var binned = new BinnedRocAuc(binCount: 100, minimumScore: 0.25, maximumScore: 0.75);
        var actual = new List<bool>();
        var scores = new List<double>();
        for (int i = 0; i < 5_000; i++)
        {
            bool positive = random.NextDouble() < 0.5;
            double score = positive ? random.NextDouble() + 0.1 : random.NextDouble();
            actual.Add(positive);
            scores.Add(score);
            binned.Add(positive, score);
        }

        double exact = BinaryClassificationMetrics.RocAuc(actual.ToArray(), scores.ToArray());

        binned.Value.Should().BeApproximately(exact, binned.ErrorBound);
        binned.ErrorBound.Should().BeGreaterThan(0.05, "a quarter of the scores share each end bin");
    }

    [Fact]
    public void ProbabilityLossAccumulator_ManyExamples_KeepsTheLogLossOfTheBatchThroughRenormalisation()
    {
        // 200,000 factors of about 0.6 take the running product through 2^-900 hundreds of times; confident wrong
        // predictions (p = 0 for a positive) put ε = 2^-52 factors in as well, and some weights are not 1.
        var random = new SplitMix64(44);
        int n = 200_000;
        bool[] actual = new bool[n];
        double[] probabilities = new double[n];
        double[] weights = new double[n];
        var first = new ProbabilityLossAccumulator();
        var second = new ProbabilityLossAccumulator();
        for (int i = 0; i < n; i++)
        {
            actual[i] = random.NextDouble() < 0.5;
            probabilities[i] = i % 1_000 == 0 ? 0.0 : random.NextDouble();
            weights[i] = i % 7 == 0 ? 2.5 : 1.0;
            (i < n / 2 ? first : second).Add(actual[i], probabilities[i], weights[i]);
        }

        first.Merge(second);

        double expected = BinaryClassificationMetrics.LogLoss(actual, probabilities, weights);
        first.LogLoss.Should().BeApproximately(expected, 1e-9 * expected);
        first.BrierScore.Should().BeApproximately(BinaryClassificationMetrics.BrierScore(actual, probabilities, weights), 1e-12);
    }

    [Fact]
    public void CalibrationAccumulator_UniformShortcut_PutsEveryProbabilityInTheBinASearchWould()
    {
        // Edges and the values next to them, where i · (1 / n) and p · n round differently, and random values.
        var random = new SplitMix64(45);
        foreach (int bins in new[] { 3, 7, 10, 13, 100 })
        {
            double[] edges = CalibrationAccumulator.UniformEdges(bins);
            var shortcut = new CalibrationAccumulator(edges, uniform: true);
            var search = new CalibrationAccumulator(edges, uniform: false);
            IEnumerable<double> probes = edges
                .SelectMany(e => new[] { e, Math.BitDecrement(e), Math.BitIncrement(e), (double)Array.IndexOf(edges, e) / bins })
                .Concat(Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()))
                .Where(p => p is >= 0 and <= 1);
            foreach (double p in probes)
            {
                shortcut.Add(true, p);
                search.Add(true, p);
            }

            shortcut.ToCurve().Bins.Should().Equal(search.ToCurve().Bins);
        }
    }

    [Fact]
    public void Accumulators_MergeWithOtherParameters_IsRefused()
    {
        ((Action)(() => new ConfusionMatrix(2).Merge(new ConfusionMatrix(3)))).Should().Throw<ArgumentException>();
        ((Action)(() => new CalibrationAccumulator(10).Merge(new CalibrationAccumulator(5)))).Should().Throw<ArgumentException>();
        ((Action)(() => new BinnedRocAuc(100).Merge(new BinnedRocAuc(200)))).Should().Throw<ArgumentException>();
        ((Action)(() => new RegressionAccumulator().Merge(null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Accumulators_Reset_EmptyThem()
    {
        var matrix = new ConfusionMatrix(2);
        matrix.Add(true, false);
        var regression = new RegressionAccumulator();
        regression.Add(1, 2);
        var losses = new ProbabilityLossAccumulator();
        losses.Add(true, 0.5);
        var calibration = new CalibrationAccumulator();
        calibration.Add(true, 0.5);
        var auc = new BinnedRocAuc();
        auc.Add(true, 0.5);

        matrix.Reset();
        regression.Reset();
        losses.Reset();
        calibration.Reset();
        auc.Reset();

        matrix.TotalWeight.Should().Be(0);
        regression.Count.Should().Be(0);
        losses.TotalWeight.Should().Be(0);
        calibration.TotalWeight.Should().Be(0);
        ((Action)(() => _ = auc.ErrorBound)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Accumulators_Add_DoesNotAllocate()
    {
        var matrix = new ConfusionMatrix(3);
        var regression = new RegressionAccumulator();
        var losses = new ProbabilityLossAccumulator();
        var calibration = new CalibrationAccumulator();
        var auc = new BinnedRocAuc();
        var multiclass = new MulticlassLogLossAccumulator(2);
        double[] row = [0.25, 0.75];
        var random = new SplitMix64(43);
        double[] values = Enumerable.Range(0, 1_000).Select(_ => random.NextDouble()).ToArray();

        long allocated = Allocations.OnCurrentThread(() =>
        {
            foreach (double value in values)
            {
                bool positive = value > 0.4;
                matrix.Add((int)(value * 3), positive ? 1 : 0, 0.5);
                regression.Add(value, 1 - value);
                losses.Add(positive, value);
                calibration.Add(positive, value);
                auc.Add(positive, value);
                multiclass.Add(positive ? 1 : 0, row);
            }
        });

        allocated.Should().Be(0);
    }

    private static void Add(ConfusionMatrix matrix, bool actual, bool predicted, int times)
    {
        for (int i = 0; i < times; i++)
        {
            matrix.Add(actual, predicted);
        }
    }
}
