using FeedbackLoop.Numerics;

namespace FeedbackLoop.Evaluation.Estimation;

/// <summary>
/// Confidence-based performance estimation (CBPE, NannyML's method) for a binary classifier: with probabilities that are
/// calibrated on a labelled reference window, the expected confusion matrix of an unlabelled window follows from its
/// probabilities alone, so accuracy, precision, recall, F1 and ROC AUC can be estimated before the labels arrive.
/// </summary>
/// <remarks>
/// <para>
/// Fitting: an <see cref="IsotonicCalibrator"/> is used only if it improves calibration — its cross-validated expected
/// calibration error on the reference (out-of-fold predictions, <see cref="CbpeOptions.CalibrationFolds"/> seeded folds)
/// must be below the raw scores' (NannyML's <c>needs_calibration</c>, with folds where NannyML uses shuffle splits); it
/// is then refitted on the whole reference.
/// </para>
/// <para>
/// Estimating: with p_i the calibrated probability and ŷ_i = [score_i ≥ threshold], E[TP] = Σ_(ŷ=1) p_i,
/// E[FP] = Σ_(ŷ=1) (1 − p_i), E[FN] = Σ_(ŷ=0) p_i and E[TN] = Σ_(ŷ=0) (1 − p_i), and each metric is read from these
/// expected counts. ROC AUC is the area of the curve whose true- and false-positive rates at each threshold are the
/// expected ones: every prediction counts as a positive of weight p_i and a negative of weight 1 − p_i. The sampling
/// error is the standard deviation of the realised metric over <see cref="CbpeOptions.Simulations"/> seeded draws of the
/// labels from the p_i — the chance spread of what the labels will show, given the probabilities.
/// </para>
/// <para>
/// When it fails: the method assumes that P(y | score) on the new window is the one calibrated on the reference. It
/// tracks covariate shift (the inputs move, the relation to the label stays) and cannot see concept drift (the relation
/// itself changes): then the estimate stays confident and wrong, and only labels or a drift detector on the errors
/// reveal it. It also needs the reference to cover the scores the new window has.
/// </para>
/// </remarks>
public sealed class ConfidenceBasedPerformanceEstimator
{
    private readonly IsotonicCalibrator? _calibrator;
    private readonly CbpeOptions _options;

    private ConfidenceBasedPerformanceEstimator(IsotonicCalibrator? calibrator, double uncalibratedError, double calibratedError, CbpeOptions options)
    {
        _calibrator = calibrator;
        UncalibratedError = uncalibratedError;
        CalibratedError = calibratedError;
        _options = options;
    }

    /// <summary>Gets a value indicating whether the isotonic calibration is applied (it improved calibration on the reference).</summary>
    public bool UsesCalibration => _calibrator is not null;

    /// <summary>Gets the expected calibration error of the raw scores on the reference.</summary>
    public double UncalibratedError { get; }

    /// <summary>Gets the cross-validated expected calibration error of the isotonically calibrated scores on the reference.</summary>
    public double CalibratedError { get; }

    /// <summary>Fits the estimator on a labelled reference window.</summary>
    /// <param name="actual">The reference labels; both classes must occur.</param>
    /// <param name="scores">The reference scores, probabilities of the positive class in [0, 1].</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <returns>The fitted estimator.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are shorter than two folds, or one class is missing.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is not a probability, or an option is out of range.</exception>
    public static ConfidenceBasedPerformanceEstimator Fit(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores, CbpeOptions? options = null)
    {
        options ??= new CbpeOptions();
        options.Validate();
        MetricArguments.RequireBatch(actual.Length, scores.Length, nameof(scores), 0);
        RequireProbabilities(scores);
        int positives = 0;
        foreach (bool a in actual)
        {
            positives += a ? 1 : 0;
        }

        if (positives == 0 || positives == actual.Length || actual.Length < 2 * options.CalibrationFolds)
        {
            throw new ArgumentException("The reference needs both classes and at least two examples per calibration fold.", nameof(actual));
        }

        int n = actual.Length;
        bool[] labels = actual.ToArray();
        double[] raw = scores.ToArray();
        double[] outOfFold = new double[n];
        int[] fold = Folds(n, options.CalibrationFolds, options.Seed);
        for (int k = 0; k < options.CalibrationFolds; k++)
        {
            int current = k;
            int[] train = Enumerable.Range(0, n).Where(i => fold[i] != current).ToArray();
            IsotonicCalibrator foldCalibrator = IsotonicCalibrator.Fit(train.Select(i => labels[i]).ToArray(), train.Select(i => raw[i]).ToArray());
            for (int i = 0; i < n; i++)
            {
                if (fold[i] == current)
                {
                    outOfFold[i] = foldCalibrator.Calibrate(raw[i]);
                }
            }
        }

        double uncalibrated = CalibrationCurve.Compute(labels, raw, options.CalibrationBins).ExpectedCalibrationError;
        double calibrated = CalibrationCurve.Compute(labels, outOfFold, options.CalibrationBins).ExpectedCalibrationError;
        IsotonicCalibrator? calibrator = calibrated < uncalibrated ? IsotonicCalibrator.Fit(labels, raw) : null;
        return new ConfidenceBasedPerformanceEstimator(calibrator, uncalibrated, calibrated, options);
    }

    /// <summary>Estimates the performance on an unlabelled window.</summary>
    /// <param name="scores">The window's scores, probabilities of the positive class in [0, 1].</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentException">The window is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is not a probability.</exception>
    public PerformanceEstimate Estimate(ReadOnlySpan<double> scores)
    {
        MetricArguments.RequireNotEmpty(scores.Length, nameof(scores));
        RequireProbabilities(scores);
        int n = scores.Length;
        double[] probabilities = new double[n];
        bool[] predicted = new bool[n];
        for (int i = 0; i < n; i++)
        {
            probabilities[i] = _calibrator?.Calibrate(scores[i]) ?? scores[i];
            predicted[i] = scores[i] >= _options.Threshold;
        }

        double[] point = ExpectedMetrics(probabilities, predicted, scores.ToArray());
        double[][] realised = new double[_options.Simulations][];
        double[] raw = scores.ToArray();
        Parallel.For(0, _options.Simulations, s =>
        {
            SplitMix64 random = Resampling.Stream(_options.Seed, s);
            bool[] labels = new bool[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = random.NextDouble() < probabilities[i];
            }

            realised[s] = RealisedMetrics(labels, predicted, raw);
        });

        EstimatedMetric? Metric(int index)
        {
            if (double.IsNaN(point[index]))
            {
                return null;
            }

            double[] values = realised.Select(r => r[index]).Where(v => !double.IsNaN(v)).ToArray();
            double mean = values.Length > 0 ? values.Average() : point[index];
            double error = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
            double band = _options.BandWidth * error;
            return new EstimatedMetric(point[index], error, Math.Max(0, point[index] - band), Math.Min(1, point[index] + band));
        }

        return new PerformanceEstimate(n, Metric(0), Metric(1), Metric(2), Metric(3), Metric(4));
    }

    /// <summary>Accuracy, precision, recall, F1 and ROC AUC from the expected confusion matrix (NaN where undefined).</summary>
    private static double[] ExpectedMetrics(double[] probabilities, bool[] predicted, double[] scores)
    {
        double truePositives = 0;
        double falsePositives = 0;
        double falseNegatives = 0;
        double trueNegatives = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i];
            if (predicted[i])
            {
                truePositives += p;
                falsePositives += 1 - p;
            }
            else
            {
                falseNegatives += p;
                trueNegatives += 1 - p;
            }
        }

        // Each prediction as a positive of weight p and a negative of weight 1 − p at its score.
        int n = probabilities.Length;
        bool[] doubledActual = new bool[2 * n];
        double[] doubledScores = new double[2 * n];
        double[] doubledWeights = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            (doubledActual[2 * i], doubledScores[2 * i], doubledWeights[2 * i]) = (true, scores[i], probabilities[i]);
            (doubledActual[(2 * i) + 1], doubledScores[(2 * i) + 1], doubledWeights[(2 * i) + 1]) = (false, scores[i], 1 - probabilities[i]);
        }

        double expectedPositives = truePositives + falseNegatives;
        double expectedNegatives = falsePositives + trueNegatives;
        return
        [
            (truePositives + trueNegatives) / n,
            truePositives + falsePositives > 0 ? truePositives / (truePositives + falsePositives) : double.NaN,
            expectedPositives > 0 ? truePositives / expectedPositives : double.NaN,
            truePositives + falsePositives + falseNegatives > 0 ? 2 * truePositives / ((2 * truePositives) + falsePositives + falseNegatives) : double.NaN,
            expectedPositives > 0 && expectedNegatives > 0 ? BinaryClassificationMetrics.RocAuc(doubledActual, doubledScores, doubledWeights) : double.NaN,
        ];
    }

    /// <summary>The same metrics on drawn labels (NaN where undefined on the draw).</summary>
    private static double[] RealisedMetrics(bool[] labels, bool[] predicted, double[] scores)
    {
        ConfusionMatrix matrix = ConfusionMatrix.From(labels, predicted);
        double positives = matrix[1, 0] + matrix[1, 1];
        double predictedPositives = matrix[0, 1] + matrix[1, 1];
        return
        [
            matrix.Accuracy,
            predictedPositives > 0 ? matrix.Precision(1) : double.NaN,
            positives > 0 ? matrix.Recall(1) : double.NaN,
            positives + predictedPositives > 0 ? matrix.F1(1) : double.NaN,
            positives > 0 && positives < labels.Length ? BinaryClassificationMetrics.RocAuc(labels, scores) : double.NaN,
        ];
    }

    /// <summary>Seeded fold numbers: a shuffled 0, 1, ..., k − 1, 0, 1, ... so that the folds differ by at most one example.</summary>
    private static int[] Folds(int n, int folds, ulong seed)
    {
        int[] fold = Enumerable.Range(0, n).Select(i => i % folds).ToArray();
        SplitMix64 random = Resampling.Stream(seed, -1);
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.NextInt32(i + 1);
            (fold[i], fold[j]) = (fold[j], fold[i]);
        }

        return fold;
    }

    private static void RequireProbabilities(ReadOnlySpan<double> scores)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            MetricArguments.RequireProbability(scores[i], i, nameof(scores));
        }
    }
}
