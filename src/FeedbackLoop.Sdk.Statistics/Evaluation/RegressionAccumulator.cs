using FeedbackLoop.State;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// The streaming form of <see cref="RegressionMetrics"/>: add one (actual, predicted) pair at a time, merge two
/// accumulators, and read the mean absolute error, mean squared error and its root, mean absolute percentage error and
/// R² at any time. The median absolute error has no exact streaming form and is batch only.
/// </summary>
/// <remarks>
/// <para>
/// The errors are kept as weighted sums. R² needs the spread of the actual values about their weighted mean, kept with
/// West's weighted update (West 1979, "Updating mean and variance estimates: an improved method", CACM 22(9)) and
/// merged with Chan, Golub and LeVeque's pairwise formula (1979, "Updating formulae and a pairwise algorithm for
/// computing sample variances"): one pass and no cancellation, where the batch <see cref="RegressionMetrics.R2"/>
/// takes two passes as scikit-learn does. The two agree to rounding (the tests check 1e-9 relative).
/// </para>
/// <para>
/// Windows: read and <see cref="Reset"/> for tumbling windows; keep one accumulator per sub-window and merge them for a
/// rolling one. <see cref="Add"/> does not allocate. Not thread-safe: merge per-thread accumulators.
/// </para>
/// </remarks>
public sealed class RegressionAccumulator : IMergeable<RegressionAccumulator>
{
    private long _count;
    private double _totalWeight;
    private double _absoluteErrors;
    private double _squaredErrors;
    private double _percentageErrors;
    private double _actualMean;
    private double _actualSpread;

    /// <summary>Gets the number of pairs added, zero-weight ones included.</summary>
    public long Count => _count;

    /// <summary>Gets the total weight of the pairs added (their count when unweighted).</summary>
    public double TotalWeight => _totalWeight;

    /// <summary>Gets the weighted mean of |y − ŷ|.</summary>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public double MeanAbsoluteError => _absoluteErrors / RequireWeight();

    /// <summary>Gets the weighted mean of (y − ŷ)².</summary>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public double MeanSquaredError => _squaredErrors / RequireWeight();

    /// <summary>Gets the square root of <see cref="MeanSquaredError"/>.</summary>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public double RootMeanSquaredError => Math.Sqrt(MeanSquaredError);

    /// <summary>Gets the weighted mean of |y − ŷ| / max(|y|, ε), as a fraction (see <see cref="RegressionMetrics.MeanAbsolutePercentageError"/>).</summary>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public double MeanAbsolutePercentageError => _percentageErrors / RequireWeight();

    /// <summary>Gets R² = 1 − Σ w (y − ŷ)² / Σ w (y − ȳ)² (see <see cref="RegressionMetrics.R2"/>).</summary>
    /// <exception cref="InvalidOperationException">Fewer than two pairs, or no pair with positive weight, have been added.</exception>
    public double R2
    {
        get
        {
            RequireWeight();
            return _count >= 2
                ? CoefficientOfDetermination(_squaredErrors, _actualSpread)
                : throw new InvalidOperationException("R² is not defined for fewer than two pairs.");
        }
    }

    /// <summary>Adds one pair.</summary>
    /// <param name="actual">The actual value.</param>
    /// <param name="predicted">The predicted value.</param>
    /// <param name="weight">The pair's weight; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or the weight is negative or not finite; nothing is added.</exception>
    public void Add(double actual, double predicted, double weight = 1.0)
    {
        if (!double.IsFinite(actual) || !double.IsFinite(predicted))
        {
            throw new ArgumentOutOfRangeException(
                double.IsFinite(actual) ? nameof(predicted) : nameof(actual),
                "The actual and predicted values must be finite.");
        }

        MetricArguments.RequireWeight(weight);

        _count++;
        if (weight == 0)
        {
            return;
        }

        double error = Math.Abs(actual - predicted);
        _absoluteErrors += weight * error;
        _squaredErrors += weight * (error * error);
        _percentageErrors += weight * (error / Math.Max(Math.Abs(actual), RegressionMetrics.PercentageErrorFloor));

        // West (1979): the weighted mean and the weighted sum of squared deviations about it.
        double totalWeight = _totalWeight += weight;
        double deviation = actual - _actualMean;
        _actualMean += deviation * (weight / totalWeight);
        _actualSpread += weight * deviation * (actual - _actualMean);
    }

    /// <inheritdoc />
    public void Merge(RegressionAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _count += other._count;
        if (other._totalWeight == 0)
        {
            return;
        }

        // Chan, Golub and LeVeque (1979): M2 = M2a + M2b + δ² Wa Wb / W.
        double totalWeight = _totalWeight + other._totalWeight;
        double deviation = other._actualMean - _actualMean;
        _actualSpread += other._actualSpread + (deviation * deviation * (_totalWeight * other._totalWeight / totalWeight));
        _actualMean += deviation * (other._totalWeight / totalWeight);
        _totalWeight = totalWeight;
        _absoluteErrors += other._absoluteErrors;
        _squaredErrors += other._squaredErrors;
        _percentageErrors += other._percentageErrors;
    }

    /// <summary>Removes every pair.</summary>
    public void Reset()
    {
        _count = 0;
        _totalWeight = 0;
        _absoluteErrors = 0;
        _squaredErrors = 0;
        _percentageErrors = 0;
        _actualMean = 0;
        _actualSpread = 0;
    }

    /// <summary>R² from the residual and total sums of squares, finite as scikit-learn's <c>force_finite=True</c>.</summary>
    internal static double CoefficientOfDetermination(double residual, double spread) =>
        residual == 0 ? 1.0 : spread == 0 ? 0.0 : 1 - (residual / spread);

    private double RequireWeight() =>
        _totalWeight > 0
            ? _totalWeight
            : throw new InvalidOperationException("No pair with positive weight has been added; an empty window has no error.");
}
