using System.Buffers;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// Metrics of a regressor over a batch: mean absolute error, mean squared error and its root, R², mean absolute
/// percentage error and median absolute error, as scikit-learn 1.2 defines them (<c>mean_absolute_error</c>,
/// <c>mean_squared_error</c>, <c>r2_score</c>, <c>mean_absolute_percentage_error</c>, <c>median_absolute_error</c>),
/// with optional per-example weights. <see cref="RegressionAccumulator"/> is the streaming form of all but the median.
/// </summary>
/// <remarks>
/// Bad input gets a typed exception, never a NaN: spans of different lengths or empty (<see cref="ArgumentException"/>),
/// a NaN or infinite value (<see cref="ArgumentOutOfRangeException"/> naming the index), a negative or non-finite
/// weight, or all-zero weights. Pure functions, safe from any number of threads.
/// </remarks>
public static class RegressionMetrics
{
    /// <summary>
    /// The floor of the denominator of <see cref="MeanAbsolutePercentageError"/>, float64 machine epsilon (2^-52), as
    /// scikit-learn's <c>np.finfo(np.float64).eps</c>.
    /// </summary>
    public const double PercentageErrorFloor = 2.220446049250313e-16;

    /// <summary>Computes the (weighted) mean of |y − ŷ|.</summary>
    /// <param name="actual">The actual values.</param>
    /// <param name="predicted">The predicted values, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The mean absolute error, in the units of the target.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or a weight is negative or not finite.</exception>
    public static double MeanAbsoluteError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sampleWeights = default) =>
        Accumulate(actual, predicted, sampleWeights).MeanAbsoluteError;

    /// <summary>Computes the (weighted) mean of (y − ŷ)².</summary>
    /// <param name="actual">The actual values.</param>
    /// <param name="predicted">The predicted values, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The mean squared error, in squared units of the target.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or a weight is negative or not finite.</exception>
    public static double MeanSquaredError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sampleWeights = default) =>
        Accumulate(actual, predicted, sampleWeights).MeanSquaredError;

    /// <summary>Computes the square root of <see cref="MeanSquaredError"/> (scikit-learn's <c>squared=False</c>).</summary>
    /// <param name="actual">The actual values.</param>
    /// <param name="predicted">The predicted values, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The root mean squared error, in the units of the target.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or a weight is negative or not finite.</exception>
    public static double RootMeanSquaredError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sampleWeights = default) =>
        Math.Sqrt(MeanSquaredError(actual, predicted, sampleWeights));

    /// <summary>Computes the (weighted) mean of |y − ŷ| / max(|y|, ε), a fraction (0.05 is 5%), not a percentage.</summary>
    /// <param name="actual">The actual values.</param>
    /// <param name="predicted">The predicted values, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The mean absolute percentage error as a fraction; huge when an actual value is 0 and its prediction is not.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or a weight is negative or not finite.</exception>
    /// <remarks>ε is <see cref="PercentageErrorFloor"/>, as scikit-learn: an actual value of 0 does not divide by zero.</remarks>
    public static double MeanAbsolutePercentageError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sampleWeights = default) =>
        Accumulate(actual, predicted, sampleWeights).MeanAbsolutePercentageError;

    /// <summary>
    /// Computes the coefficient of determination R² = 1 − Σ w (y − ŷ)² / Σ w (y − ȳ)², ȳ the weighted mean of the
    /// actual values: 1 is perfect, 0 is as good as predicting the mean, and it can be negative.
    /// </summary>
    /// <param name="actual">The actual values; at least two.</param>
    /// <param name="predicted">The predicted values, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>R², at most 1. When the actual values are constant: 1 for a perfect prediction, otherwise 0 (scikit-learn's <c>force_finite=True</c>).</returns>
    /// <exception cref="ArgumentException">The spans differ in length or hold fewer than two examples, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or a weight is negative or not finite.</exception>
    /// <remarks>Two passes, the weighted mean first, as scikit-learn computes it.</remarks>
    public static double R2(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sampleWeights = default)
    {
        RegressionAccumulator sums = Accumulate(actual, predicted, sampleWeights);
        if (actual.Length < 2)
        {
            throw new ArgumentException("R² is not defined for fewer than two examples.", nameof(actual));
        }

        double weightedSum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            weightedSum += (sampleWeights.IsEmpty ? 1.0 : sampleWeights[i]) * actual[i];
        }

        double mean = weightedSum / sums.TotalWeight;
        double residual = 0;
        double spread = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double w = sampleWeights.IsEmpty ? 1.0 : sampleWeights[i];
            double error = actual[i] - predicted[i];
            double deviation = actual[i] - mean;
            residual += w * (error * error);
            spread += w * (deviation * deviation);
        }

        return RegressionAccumulator.CoefficientOfDetermination(residual, spread);
    }

    /// <summary>Computes the median of |y − ŷ|, robust to outliers; weighted, the lower weighted median.</summary>
    /// <param name="actual">The actual values.</param>
    /// <param name="predicted">The predicted values, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The median absolute error, in the units of the target.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or a weight is negative or not finite.</exception>
    /// <remarks>
    /// As scikit-learn 1.2: unweighted, <c>np.median</c> (the mean of the two middle errors for an even count);
    /// weighted, <c>_weighted_percentile</c> at 50: the smallest error whose cumulative weight, errors ascending,
    /// reaches half the total. There is no exact streaming form: a median needs every value.
    /// </remarks>
    public static double MedianAbsoluteError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sampleWeights = default)
    {
        RegressionAccumulator sums = Accumulate(actual, predicted, sampleWeights);
        int n = actual.Length;
        double[] errorBuffer = ArrayPool<double>.Shared.Rent(n);
        double[] weightBuffer = ArrayPool<double>.Shared.Rent(n);
        try
        {
            Span<double> errors = errorBuffer.AsSpan(0, n);
            for (int i = 0; i < n; i++)
            {
                errors[i] = Math.Abs(predicted[i] - actual[i]);
            }

            if (sampleWeights.IsEmpty)
            {
                errors.Sort();
                return n % 2 == 1 ? errors[n / 2] : (errors[(n / 2) - 1] + errors[n / 2]) / 2;
            }

            Span<double> weights = weightBuffer.AsSpan(0, n);
            sampleWeights.CopyTo(weights);
            errors.Sort(weights);
            double half = 0.5 * sums.TotalWeight;
            double cumulative = 0;
            for (int i = 0; i < n; i++)
            {
                cumulative += weights[i];
                if (cumulative >= half)
                {
                    return errors[i];
                }
            }

            return errors[n - 1];
        }
        finally
        {
            ArrayPool<double>.Shared.Return(weightBuffer);
            ArrayPool<double>.Shared.Return(errorBuffer);
        }
    }

    private static RegressionAccumulator Accumulate(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> sampleWeights)
    {
        MetricArguments.RequireBatch(actual.Length, predicted.Length, nameof(predicted), sampleWeights.Length);
        var sums = new RegressionAccumulator();
        for (int i = 0; i < actual.Length; i++)
        {
            MetricArguments.RequireFinite(actual[i], i, nameof(actual));
            MetricArguments.RequireFinite(predicted[i], i, nameof(predicted));
            sums.Add(actual[i], predicted[i], sampleWeights.IsEmpty ? 1.0 : MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights)));
        }

        MetricArguments.RequireUsableTotalWeight(sums.TotalWeight, nameof(sampleWeights));
        return sums;
    }
}
