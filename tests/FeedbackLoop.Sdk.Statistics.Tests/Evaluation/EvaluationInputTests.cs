using FeedbackLoop.Evaluation;

namespace FeedbackLoop.Tests.Evaluation;

// Every bad input the evaluation layer names gets a typed exception with a clear message, never a NaN.
public sealed class EvaluationInputTests
{
    private static readonly double[] Probabilities3 = [0.2, 0.3, 0.5, 0.6, 0.3, 0.1];

    public static TheoryData<string, Action> LengthMismatches => new()
    {
        { "confusion", () => ConfusionMatrix.From([0, 1, 1], [0, 1], classCount: 2) },
        { "binary confusion", () => ConfusionMatrix.From([true, false], [true]) },
        { "average precision", () => BinaryClassificationMetrics.AveragePrecision([true, false], [0.5]) },
        { "multiclass log loss", () => MulticlassMetrics.LogLoss([0, 1], [0.5, 0.5, 0.5], classCount: 3) },
        { "one-vs-rest AUC", () => MulticlassMetrics.RocAucOneVsRest([0, 1], Probabilities3, classCount: 2) },
        { "regression", () => RegressionMetrics.MeanAbsoluteError([1, 2], [1]) },
        { "regression weights", () => RegressionMetrics.R2([1, 2, 3], [1, 2, 3], [1, 1]) },
        { "median", () => RegressionMetrics.MedianAbsoluteError([1, 2], [1, 2, 3]) },
        { "calibration", () => CalibrationCurve.Compute([true], [0.5, 0.5]) },
    };

    public static TheoryData<string, Action> EmptyBatches => new()
    {
        { "confusion", () => ConfusionMatrix.From([], [], classCount: 2) },
        { "average precision", () => BinaryClassificationMetrics.AveragePrecision([], []) },
        { "multiclass log loss", () => MulticlassMetrics.LogLoss([], [], classCount: 3) },
        { "regression", () => RegressionMetrics.MeanSquaredError([], []) },
        { "median", () => RegressionMetrics.MedianAbsoluteError([], []) },
        { "calibration", () => CalibrationCurve.Compute([], []) },
    };

    public static TheoryData<string, Action> NonFiniteValues => new()
    {
        { "average precision score", () => BinaryClassificationMetrics.AveragePrecision([true, false], [double.NaN, 0.5]) },
        { "regression actual", () => RegressionMetrics.MeanAbsoluteError([1, double.NaN], [1, 2]) },
        { "regression prediction", () => RegressionMetrics.R2([1, 2], [1, double.PositiveInfinity]) },
        { "regression accumulator", () => new RegressionAccumulator().Add(double.NaN, 1) },
        { "binned AUC score", () => new BinnedRocAuc().Add(true, double.NaN) },
        { "multiclass probability", () => MulticlassMetrics.LogLoss([0, 1], [double.NaN, 1, 0.5, 0.5], classCount: 2) },
    };

    public static TheoryData<string, Action> ProbabilitiesOutOfRange => new()
    {
        { "multiclass above 1", () => MulticlassMetrics.LogLoss([0], [1.2, -0.2], classCount: 2) },
        { "calibration below 0", () => CalibrationCurve.Compute([true, false], [-0.1, 0.5]) },
        { "loss accumulator", () => new ProbabilityLossAccumulator().Add(true, 1.5) },
        { "calibration accumulator", () => new CalibrationAccumulator().Add(false, double.NaN) },
        { "multiclass accumulator", () => new MulticlassLogLossAccumulator(2).Add(0, [1.5, -0.5]) },
    };

    public static TheoryData<string, Action> BadWeights => new()
    {
        { "negative batch weight", () => ConfusionMatrix.From([0, 1], [0, 1], 2, [1, -1]) },
        { "all-zero batch weights", () => RegressionMetrics.MeanAbsoluteError([1, 2], [1, 2], [0, 0]) },
        { "infinite accumulator weight", () => new ConfusionMatrix(2).Add(0, 1, double.PositiveInfinity) },
        { "NaN accumulator weight", () => new RegressionAccumulator().Add(1, 2, double.NaN) },
        { "negative calibration weight", () => new CalibrationAccumulator().Add(true, 0.5, -1) },
        { "negative AUC weight", () => new BinnedRocAuc().Add(true, 0.5, -2) },
        { "negative loss weight", () => new ProbabilityLossAccumulator().Add(true, 0.5, -1) },
    };

    public static TheoryData<string, Action> BadParameters => new()
    {
        { "one class", () => _ = new ConfusionMatrix(1) },
        { "class out of range", () => new ConfusionMatrix(3).Add(0, 3) },
        { "negative class", () => ConfusionMatrix.From([0, -1], [0, 0], classCount: 2) },
        { "reading a class out of range", () => new ConfusionMatrix(2).Precision(2) },
        { "cell out of range", () => _ = new ConfusionMatrix(2)[0, 5] },
        { "undefined averaging", () => new ConfusionMatrix(2).Precision((ClassificationAveraging)7) },
        { "micro one-vs-rest", () => MulticlassMetrics.RocAucOneVsRest([0, 1, 2], [1, 0, 0, 0, 1, 0, 0, 0, 1], 3, ClassificationAveraging.Micro) },
        { "multiclass actual out of range", () => MulticlassMetrics.LogLoss([0, 2], [0.5, 0.5, 0.5, 0.5], classCount: 2) },
        { "multiclass one class", () => MulticlassMetrics.LogLoss([0], [1.0], classCount: 1) },
        { "no calibration bins", () => _ = new CalibrationAccumulator(0) },
        { "too many calibration bins", () => CalibrationCurve.Compute([true], [0.5], binCount: 1_001) },
        { "undefined binning", () => CalibrationCurve.Compute([true], [0.5], binning: (CalibrationBinning)9) },
        { "one AUC bin", () => _ = new BinnedRocAuc(binCount: 1) },
        { "reversed AUC range", () => _ = new BinnedRocAuc(minimumScore: 1, maximumScore: 0) },
        { "multiclass accumulator class", () => new MulticlassLogLossAccumulator(3).Add(3, [0.2, 0.3, 0.5]) },
        { "multiclass accumulator with one class", () => _ = new MulticlassLogLossAccumulator(1) },
    };

    [Theory]
    [MemberData(nameof(LengthMismatches))]
    public void DifferentLengths_AreRefused(string what, Action act) =>
        act.Should().Throw<ArgumentException>(what).WithMessage("*has *");

    [Theory]
    [MemberData(nameof(EmptyBatches))]
    public void EmptyBatches_AreRefused(string what, Action act) =>
        act.Should().Throw<ArgumentException>(what).WithMessage("*empty*");

    [Theory]
    [MemberData(nameof(NonFiniteValues))]
    public void NaNOrInfiniteValues_AreRefused(string what, Action act) =>
        act.Should().Throw<ArgumentOutOfRangeException>(what);

    [Theory]
    [MemberData(nameof(ProbabilitiesOutOfRange))]
    public void ProbabilitiesOutsideZeroToOne_AreRefused(string what, Action act) =>
        act.Should().Throw<ArgumentOutOfRangeException>(what).WithMessage("*[0, 1]*");

    [Theory]
    [MemberData(nameof(BadWeights))]
    public void BadWeights_AreRefused(string what, Action act) =>
        act.Should().Throw<ArgumentException>(what).WithMessage("*weight*");

    [Theory]
    [MemberData(nameof(BadParameters))]
    public void BadParameters_AreRefused(string what, Action act) =>
        act.Should().Throw<ArgumentOutOfRangeException>(what);

    [Fact]
    public void MulticlassRowsThatDoNotSumToOne_AreRefusedNamingTheExample()
    {
        Action logLoss = () => MulticlassMetrics.LogLoss([0, 1], [0.5, 0.5, 0.5, 0.4], classCount: 2);
        Action auc = () => MulticlassMetrics.RocAucOneVsRest([0, 1, 2], [0.2, 0.3, 0.5, 0.6, 0.3, 0.1, 0.3, 0.3, 0.3], classCount: 3);

        logLoss.Should().Throw<ArgumentException>().WithMessage("*example 1 sum to 0.9*").And.ParamName.Should().Be("probabilities");
        Action single = () => new MulticlassLogLossAccumulator(2).Add(0, [0.5, 0.4]);
        Action tooShort = () => new MulticlassLogLossAccumulator(3).Add(0, [0.5, 0.5]);
        single.Should().Throw<ArgumentException>().WithMessage("*the example sum to 0.9*");
        tooShort.Should().Throw<ArgumentException>().WithMessage("*has 2*");
        auc.Should().Throw<ArgumentException>().WithMessage("*example 2 sum to 0.9*");
    }

    [Fact]
    public void RankingMetricsWithOneClass_AreRefusedAsScikitLearnDoes()
    {
        Action absentClass = () => MulticlassMetrics.RocAucOneVsRest([0, 1, 0], [0.5, 0.5, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5], classCount: 3);
        Action noPositives = () => BinaryClassificationMetrics.AveragePrecision([false, false], [0.1, 0.9]);
        Action binnedOneClass = () =>
        {
            var auc = new BinnedRocAuc();
            auc.Add(false, 0.3);
            _ = auc.Value;
        };

        absentClass.Should().Throw<ArgumentException>().WithMessage("*class 2 does not occur*");
        noPositives.Should().Throw<ArgumentException>().WithMessage("*no positive example*");
        binnedOneClass.Should().Throw<InvalidOperationException>().WithMessage("*both classes*");
    }

    [Fact]
    public void AveragePrecision_WithoutNegatives_IsOne()
    {
        BinaryClassificationMetrics.AveragePrecision([true, true], [0.1, 0.9]).Should().Be(1);
    }

    [Fact]
    public void R2_WithFewerThanTwoExamples_IsRefused()
    {
        Action act = () => RegressionMetrics.R2([1.0], [2.0]);
        act.Should().Throw<ArgumentException>().WithMessage("*two*");
    }

    [Fact]
    public void R2_OfConstantActualValues_IsFiniteAsScikitLearnForcesIt()
    {
        RegressionMetrics.R2([3, 3, 3], [3, 3, 3]).Should().Be(1);
        RegressionMetrics.R2([3, 3, 3], [3, 4, 3]).Should().Be(0);
    }

    [Fact]
    public void BinaryMatrixAdd_OnAMulticlassMatrix_IsRefused()
    {
        Action act = () => new ConfusionMatrix(3).Add(true, false);
        act.Should().Throw<InvalidOperationException>().WithMessage("*two-class*");
    }
}
