using FeedbackLoop.Drift;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// The streaming form of <see cref="BinaryClassificationMetrics.LogLoss"/> and
/// <see cref="BinaryClassificationMetrics.BrierScore"/>: add one (label, probability) pair at a time, merge two
/// accumulators, read both losses at any time. Each is a weighted mean of a per-example term, so the streaming value is
/// the batch value of the same pairs.
/// </summary>
/// <remarks><see cref="Add"/> does not allocate. Not thread-safe: merge per-thread accumulators.</remarks>
public sealed class ProbabilityLossAccumulator : IMergeable<ProbabilityLossAccumulator>
{
    private double _totalWeight;
    private double _logLoss;
    private double _brier;

    /// <summary>Gets the total weight of the pairs added.</summary>
    public double TotalWeight => _totalWeight;

    /// <summary>Gets the weighted mean log loss (probabilities clipped as <see cref="BinaryClassificationMetrics.LogLoss"/>).</summary>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public double LogLoss => _logLoss / RequireWeight();

    /// <summary>Gets the weighted mean Brier score.</summary>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public double BrierScore => _brier / RequireWeight();

    /// <summary>Adds one pair.</summary>
    /// <param name="actual">The actual label.</param>
    /// <param name="probability">The predicted probability of the positive class, in [0, 1].</param>
    /// <param name="weight">The pair's weight; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">The probability is not in [0, 1], or the weight is negative or not finite; nothing is added.</exception>
    public void Add(bool actual, double probability, double weight = 1.0)
    {
        if (!(probability >= 0.0 && probability <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The probability must be in [0, 1].");
        }

        if (!(weight >= 0.0) || double.IsPositiveInfinity(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be finite and non-negative.");
        }

        _totalWeight += weight;
        _logLoss += weight * BinaryClassificationMetrics.LogLossTerm.Loss(actual, probability);
        _brier += weight * BinaryClassificationMetrics.SquaredErrorTerm.Loss(actual, probability);
    }

    /// <inheritdoc />
    public void Merge(ProbabilityLossAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _totalWeight += other._totalWeight;
        _logLoss += other._logLoss;
        _brier += other._brier;
    }

    /// <summary>Removes every pair.</summary>
    public void Reset() => (_totalWeight, _logLoss, _brier) = (0, 0, 0);

    private double RequireWeight() =>
        _totalWeight > 0
            ? _totalWeight
            : throw new InvalidOperationException("No pair with positive weight has been added; an empty window has no loss.");
}
