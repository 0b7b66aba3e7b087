using System.Text.Json;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Evaluation.ErrorAnalysis;
using FeedbackLoop.Evaluation.Estimation;

namespace FeedbackLoop.Tests.Evaluation;

// Golden values from scikit-learn 1.2.1 (Reference/make_evaluation_reference.py, inputs stored with them): ties in
// scores, zero and fractional sample weights, imbalanced classes, an actual value of zero for MAPE. Every batch metric
// must agree to 1e-9 relative, and every streaming accumulator fed the same examples one at a time (and merged from two
// halves) must agree with its batch form.
public sealed class EvaluationReferenceTests
{
    private const double Tolerance = 1e-9;

    private static readonly Lazy<JsonElement> Golden = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "evaluation_reference.json");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(path));
        return json.RootElement.Clone();
    });

    public static TheoryData<string> BinaryCases => Names("binary");

    public static TheoryData<string> MulticlassCases => Names("multiclass");

    public static TheoryData<string> RegressionCases => Names("regression");

    public static TheoryData<string> CalibrationCases => Names("calibration");

    public static TheoryData<string> WelchCases => Names("welch");

    public static TheoryData<string> IsotonicCases => Names("isotonic");

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryMetrics_MatchScikitLearn(string name)
    {
        JsonElement c = Case("binary", name);
        bool[] actual = Ints(c, "actual").Select(v => v == 1).ToArray();
        bool[] predicted = Ints(c, "predicted").Select(v => v == 1).ToArray();
        double[] scores = Doubles(c, "scores");
        double[] weights = Weights(c);

        ConfusionMatrix matrix = ConfusionMatrix.From(actual, predicted, weights);

        Close(matrix.Accuracy, c, "accuracy");
        Close(matrix.BalancedAccuracy, c, "balanced_accuracy");
        Close(matrix.Precision(1), c, "precision");
        Close(matrix.Recall(1), c, "recall");
        Close(matrix.F1(1), c, "f1");
        Close(matrix.MatthewsCorrelation, c, "mcc");
        Close(matrix.CohenKappa, c, "kappa");
        CellsClose(matrix, c);
        Close(BinaryClassificationMetrics.RocAuc(actual, scores, weights), c, "roc_auc");
        Close(BinaryClassificationMetrics.AveragePrecision(actual, scores, weights), c, "average_precision");
        Close(BinaryClassificationMetrics.LogLoss(actual, scores, weights), c, "log_loss");
        Close(BinaryClassificationMetrics.BrierScore(actual, scores, weights), c, "brier");
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryAccumulators_OneAtATimeAndMerged_MatchTheBatch(string name)
    {
        JsonElement c = Case("binary", name);
        bool[] actual = Ints(c, "actual").Select(v => v == 1).ToArray();
        bool[] predicted = Ints(c, "predicted").Select(v => v == 1).ToArray();
        double[] scores = Doubles(c, "scores");
        double[] weights = Weights(c);
        double Weight(int i) => weights.Length == 0 ? 1.0 : weights[i];

        (var firstMatrix, var secondMatrix) = (new ConfusionMatrix(2), new ConfusionMatrix(2));
        (var firstLosses, var secondLosses) = (new ProbabilityLossAccumulator(), new ProbabilityLossAccumulator());
        (var firstAuc, var secondAuc) = (new BinnedRocAuc(), new BinnedRocAuc());
        for (int i = 0; i < actual.Length; i++)
        {
            bool first = i < actual.Length / 2;
            (first ? firstMatrix : secondMatrix).Add(actual[i], predicted[i], Weight(i));
            (first ? firstLosses : secondLosses).Add(actual[i], scores[i], Weight(i));
            (first ? firstAuc : secondAuc).Add(actual[i], scores[i], Weight(i));
        }

        firstMatrix.Merge(secondMatrix);
        firstLosses.Merge(secondLosses);
        firstAuc.Merge(secondAuc);

        firstMatrix.ToArray().Should().BeEquivalentTo(ConfusionMatrix.From(actual, predicted, weights).ToArray());
        Close(firstLosses.LogLoss, c, "log_loss");
        Close(firstLosses.BrierScore, c, "brier");
        firstAuc.Value.Should().BeApproximately(c.GetProperty("roc_auc").GetDouble(), firstAuc.ErrorBound + 1e-12);
    }

    [Theory]
    [MemberData(nameof(MulticlassCases))]
    public void MulticlassMetrics_MatchScikitLearn(string name)
    {
        JsonElement c = Case("multiclass", name);
        int classes = c.GetProperty("classes").GetInt32();
        int[] actual = Ints(c, "actual");
        int[] predicted = Ints(c, "predicted");
        double[] probabilities = Doubles(c, "probabilities");
        double[] weights = Weights(c);

        ConfusionMatrix matrix = ConfusionMatrix.From(actual, predicted, classes, weights);

        Close(matrix.Accuracy, c, "accuracy");
        Close(matrix.BalancedAccuracy, c, "balanced_accuracy");
        Close(matrix.MatthewsCorrelation, c, "mcc");
        Close(matrix.CohenKappa, c, "kappa");
        CellsClose(matrix, c);
        double[] precision = Doubles(c, "precision_per_class");
        double[] recall = Doubles(c, "recall_per_class");
        double[] f1 = Doubles(c, "f1_per_class");
        for (int k = 0; k < classes; k++)
        {
            Close(matrix.Precision(k), precision[k]);
            Close(matrix.Recall(k), recall[k]);
            Close(matrix.F1(k), f1[k]);
        }

        foreach ((ClassificationAveraging averaging, string suffix) in new[]
        {
            (ClassificationAveraging.Micro, "micro"), (ClassificationAveraging.Macro, "macro"), (ClassificationAveraging.Weighted, "weighted"),
        })
        {
            Close(matrix.Precision(averaging), c, $"precision_{suffix}");
            Close(matrix.Recall(averaging), c, $"recall_{suffix}");
            Close(matrix.F1(averaging), c, $"f1_{suffix}");
        }

        Close(MulticlassMetrics.LogLoss(actual, probabilities, classes, weights), c, "log_loss");
        var first = new MulticlassLogLossAccumulator(classes);
        var second = new MulticlassLogLossAccumulator(classes);
        for (int i = 0; i < actual.Length; i++)
        {
            (i % 2 == 0 ? first : second).Add(actual[i], probabilities.AsSpan(i * classes, classes), weights.Length == 0 ? 1.0 : weights[i]);
        }

        first.Merge(second);
        Close(first.LogLoss, c, "log_loss");
        Close(MulticlassMetrics.RocAucOneVsRest(actual, probabilities, classes, ClassificationAveraging.Macro, weights), c, "roc_auc_ovr_macro");
        Close(MulticlassMetrics.RocAucOneVsRest(actual, probabilities, classes, ClassificationAveraging.Weighted, weights), c, "roc_auc_ovr_weighted");
    }

    [Theory]
    [MemberData(nameof(RegressionCases))]
    public void RegressionMetrics_MatchScikitLearn(string name)
    {
        JsonElement c = Case("regression", name);
        double[] actual = Doubles(c, "actual");
        double[] predicted = Doubles(c, "predicted");
        double[] weights = Weights(c);

        Close(RegressionMetrics.MeanAbsoluteError(actual, predicted, weights), c, "mae");
        Close(RegressionMetrics.MeanSquaredError(actual, predicted, weights), c, "mse");
        Close(RegressionMetrics.RootMeanSquaredError(actual, predicted, weights), c, "rmse");
        Close(RegressionMetrics.R2(actual, predicted, weights), c, "r2");
        Close(RegressionMetrics.MeanAbsolutePercentageError(actual, predicted, weights), c, "mape");
        Close(RegressionMetrics.MedianAbsoluteError(actual, predicted, weights), c, "median_ae");
    }

    [Theory]
    [MemberData(nameof(RegressionCases))]
    public void RegressionAccumulator_OneAtATimeAndMerged_MatchesScikitLearn(string name)
    {
        JsonElement c = Case("regression", name);
        double[] actual = Doubles(c, "actual");
        double[] predicted = Doubles(c, "predicted");
        double[] weights = Weights(c);
        var first = new RegressionAccumulator();
        var second = new RegressionAccumulator();
        for (int i = 0; i < actual.Length; i++)
        {
            (i < actual.Length / 3 ? first : second).Add(actual[i], predicted[i], weights.Length == 0 ? 1.0 : weights[i]);
        }

        first.Merge(second);

        first.Count.Should().Be(actual.Length);
        Close(first.MeanAbsoluteError, c, "mae");
        Close(first.MeanSquaredError, c, "mse");
        Close(first.RootMeanSquaredError, c, "rmse");
        Close(first.R2, c, "r2");
        Close(first.MeanAbsolutePercentageError, c, "mape");
    }

    [Theory]
    [MemberData(nameof(CalibrationCases))]
    public void CalibrationCurve_MatchesScikitLearnBinsAndTheDefinitionOfEce(string name)
    {
        JsonElement c = Case("calibration", name);
        bool[] actual = Ints(c, "actual").Select(v => v == 1).ToArray();
        double[] probabilities = Doubles(c, "probabilities");
        CalibrationBinning binning = c.GetProperty("strategy").GetString() == "quantile" ? CalibrationBinning.Quantile : CalibrationBinning.Uniform;

        CalibrationCurve curve = CalibrationCurve.Compute(actual, probabilities, c.GetProperty("bins").GetInt32(), binning);

        curve.Bins.Select(b => b.Weight).Should().Equal(Ints(c, "counts").Select(n => (double)n));
        double[] fraction = Doubles(c, "fraction_positive");
        double[] mean = Doubles(c, "mean_predicted");
        for (int b = 0; b < curve.Bins.Count; b++)
        {
            Close(curve.Bins[b].FractionPositive, fraction[b]);
            Close(curve.Bins[b].MeanPredicted, mean[b]);
            curve.Bins[b].MeanPredicted.Should().BeInRange(curve.Bins[b].Lower - 1e-12, curve.Bins[b].Upper + 1e-12);
        }

        Close(curve.ExpectedCalibrationError, c, "ece");
        Close(curve.MaximumCalibrationError, c, "mce");
        if (binning == CalibrationBinning.Uniform)
        {
            var accumulator = new CalibrationAccumulator(c.GetProperty("bins").GetInt32());
            for (int i = 0; i < actual.Length; i++)
            {
                accumulator.Add(actual[i], probabilities[i]);
            }

            accumulator.ToCurve().Bins.Should().Equal(curve.Bins);
        }
    }

    [Theory]
    [MemberData(nameof(WelchCases))]
    public void WelchTest_MatchesScipy(string name)
    {
        JsonElement c = Case("welch", name);
        double[] a = Doubles(c, "a");
        double[] b = Doubles(c, "b");

        WelchTest test = WelchTest.Greater(a.Length, a.Average(), Variance(a), b.Length, b.Average(), Variance(b))!.Value;

        Close(test.Statistic, c, "statistic");
        Close(test.DegreesOfFreedom, c, "df");
        test.PValue.Should().BeApproximately(c.GetProperty("p").GetDouble(), 1e-9 * c.GetProperty("p").GetDouble(), "relative, down to p = 1.5e-32");
    }

    [Theory]
    [MemberData(nameof(IsotonicCases))]
    public void IsotonicCalibrator_MatchesScikitLearn(string name)
    {
        JsonElement c = Case("isotonic", name);
        bool[] actual = Doubles(c, "y").Select(v => v == 1).ToArray();

        IsotonicCalibrator calibrator = IsotonicCalibrator.Fit(actual, Doubles(c, "x"), Weights(c));

        double[] grid = Doubles(c, "grid");
        double[] expected = Doubles(c, "predicted");
        for (int i = 0; i < grid.Length; i++)
        {
            calibrator.Calibrate(grid[i]).Should().BeApproximately(expected[i], 1e-12, $"at {grid[i]}");
        }
    }

    private static double Variance(double[] values)
    {
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
    }

    private static TheoryData<string> Names(string kind) =>
        new(Golden.Value.GetProperty(kind).EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

    private static JsonElement Case(string kind, string name) =>
        Golden.Value.GetProperty(kind).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static int[] Ints(JsonElement c, string property) => c.GetProperty(property).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static double[] Doubles(JsonElement c, string property) => c.GetProperty(property).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double[] Weights(JsonElement c) =>
        c.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : Doubles(c, "weights");

    private static void Close(double actual, JsonElement c, string property) =>
        Close(actual, c.GetProperty(property).GetDouble(), property);

    private static void Close(double actual, double expected, string? what = null) =>
        actual.Should().BeApproximately(expected, Tolerance * Math.Max(1.0, Math.Abs(expected)), what);

    private static void CellsClose(ConfusionMatrix matrix, JsonElement c)
    {
        double[][] cells = c.GetProperty("confusion").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        for (int a = 0; a < cells.Length; a++)
        {
            for (int p = 0; p < cells.Length; p++)
            {
                Close(matrix[a, p], cells[a][p]);
            }
        }
    }
}
