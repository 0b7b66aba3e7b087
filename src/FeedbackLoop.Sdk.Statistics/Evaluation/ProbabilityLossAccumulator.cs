using FeedbackLoop.State;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// The streaming form of <see cref="BinaryClassificationMetrics.LogLoss"/> and
/// <see cref="BinaryClassificationMetrics.BrierScore"/>: add one (label, probability) pair at a time, merge two
/// accumulators, read both losses at any time. Each is a weighted mean of a per-example term, so the streaming value is
/// the batch value of the same pairs.
/// </summary>
/// <remarks>
/// <para>
/// A logarithm per example would cost more than the rest of an update, so examples of weight 1 multiply the probability
/// they gave the actual class into a running product instead, kept as a mantissa and a binary exponent so that it
/// never underflows: −Σ ln q_i = −(ln m + e ln 2). The product's relative rounding error grows by at most 2^-53 per
/// example, which moves the log loss by less than 10^-9 of its value over 10^6 examples. Other weights add w · (−ln q)
/// directly.
/// </para>
/// <para><see cref="Add"/> does not allocate. Not thread-safe: merge per-thread accumulators.</para>
/// </remarks>
public sealed class ProbabilityLossAccumulator : IMergeable<ProbabilityLossAccumulator>
{
    // Renormalise the product below 2^-900; one factor is at least 2^-52, so it stays a normal double.
    private const double RenormaliseBelow = 1.1754943508222875e-271;

    private double _totalWeight;
    private double _weightedLogLoss;
    private double _product = 1;
    private long _exponent;
    private double _brier;

    /// <summary>Gets the total weight of the pairs added.</summary>
    public double TotalWeight => _totalWeight;

    /// <summary>Gets the weighted mean log loss (probabilities clipped as <see cref="BinaryClassificationMetrics.LogLoss"/>).</summary>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public double LogLoss => (_weightedLogLoss - (Math.Log(_product) + (_exponent * Math.Log(2)))) / RequireWeight();

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
        MetricArguments.RequireProbability(probability);

        MetricArguments.RequireWeight(weight);

        _totalWeight += weight;
        _brier += weight * BinaryClassificationMetrics.SquaredErrorTerm.Loss(actual, probability);
        if (weight != 1)
        {
            _weightedLogLoss += weight * BinaryClassificationMetrics.LogLossTerm.Loss(actual, probability);
            return;
        }

        double p = Math.Clamp(probability, BinaryClassificationMetrics.LogLossEpsilon, 1.0 - BinaryClassificationMetrics.LogLossEpsilon);
        _product *= actual ? p : 1.0 - p;
        if (_product < RenormaliseBelow)
        {
            Renormalise();
        }
    }

    /// <inheritdoc />
    public void Merge(ProbabilityLossAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _totalWeight += other._totalWeight;
        _weightedLogLoss += other._weightedLogLoss;
        _product *= other._product;
        _exponent += other._exponent;
        Renormalise();
        _brier += other._brier;
    }

    /// <summary>Removes every pair.</summary>
    public void Reset() => (_totalWeight, _weightedLogLoss, _product, _exponent, _brier) = (0, 0, 1, 0, 0);

    /// <summary>Moves the product's binary exponent into <see cref="_exponent"/>, leaving a mantissa in [1, 2).</summary>
    private void Renormalise()
    {
        int exponent = Math.ILogB(_product);
        _product = Math.ScaleB(_product, -exponent);
        _exponent += exponent;
    }
    private double RequireWeight() =>
        _totalWeight > 0
            ? _totalWeight
            : throw new InvalidOperationException("No pair with positive weight has been added; an empty window has no loss.");
}
