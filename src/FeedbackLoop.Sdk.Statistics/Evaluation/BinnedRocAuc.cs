using FeedbackLoop.State;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// A streaming ROC AUC in bounded memory: scores are counted in equal-width bins, the AUC is read from the bin counts as
/// if the scores within a bin were tied, and the largest error this can cause is reported with it.
/// </summary>
/// <remarks>
/// <para>
/// The exact AUC needs every score (a sort), so a stream keeps a histogram per class instead. Reading walks the bins
/// from the highest down as <see cref="BinaryClassificationMetrics.RocAuc"/> walks distinct scores, so
/// <see cref="Value"/> is the exact AUC of the scores rounded to their bins. Only pairs of a positive and a negative
/// in the same bin are scored differently from the exact AUC — ½ where the exact value is 0, ½ or 1 — so
/// |<see cref="Value"/> − AUC| ≤ <see cref="ErrorBound"/> = ½ Σ_b P_b N_b / (P N), P_b and N_b the positive and
/// negative weight in bin b. The bound is computed from the same counts, so a caller can check it; with 1,000 bins on
/// well-spread probabilities it is of the order of 10^-3 or less.
/// </para>
/// <para>
/// Scores outside [<see cref="MinimumScore"/>, <see cref="MaximumScore"/>] are counted in the end bins, which keeps the
/// bound valid (they are treated as tied with that bin). <see cref="Add"/> does not allocate. Not thread-safe: merge
/// per-thread accumulators.
/// </para>
/// </remarks>
public sealed class BinnedRocAuc : IMergeable<BinnedRocAuc>
{
    private readonly double _minimum;
    private readonly double _maximum;
    private readonly double _scale;
    private readonly double[] _positives;
    private readonly double[] _negatives;
    private double _positiveWeight;
    private double _negativeWeight;

    /// <summary>Initializes an empty accumulator.</summary>
    /// <param name="binCount">The number of bins, 2 to 1,000,000; 1,000 by default.</param>
    /// <param name="minimumScore">The lower end of the binned range; 0 by default (probabilities).</param>
    /// <param name="maximumScore">The upper end of the binned range; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="binCount"/> is out of range, or the range is not finite with <paramref name="minimumScore"/> below
    /// <paramref name="maximumScore"/>.
    /// </exception>
    public BinnedRocAuc(int binCount = 1_000, double minimumScore = 0, double maximumScore = 1)
    {
        if (binCount is < 2 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(binCount), binCount, "The number of bins must be between 2 and 1,000,000.");
        }

        if (!double.IsFinite(minimumScore) || !double.IsFinite(maximumScore) || !(minimumScore < maximumScore))
        {
            throw new ArgumentOutOfRangeException(nameof(maximumScore), maximumScore, "The score range must be finite, with the minimum below the maximum.");
        }

        _minimum = minimumScore;
        _maximum = maximumScore;
        _scale = binCount / (maximumScore - minimumScore);
        _positives = new double[binCount];
        _negatives = new double[binCount];
    }

    /// <summary>Gets the number of bins.</summary>
    public int BinCount => _positives.Length;

    /// <summary>Gets the lower end of the binned range.</summary>
    public double MinimumScore => _minimum;

    /// <summary>Gets the upper end of the binned range.</summary>
    public double MaximumScore => _maximum;

    /// <summary>Gets the AUC of the binned scores, within <see cref="ErrorBound"/> of the exact AUC.</summary>
    /// <exception cref="InvalidOperationException">Only one class has positive weight so far; the AUC is not defined.</exception>
    public double Value
    {
        get
        {
            RequireBothClasses();
            double truePositives = 0;
            double falsePositives = 0;
            double twiceArea = 0;
            for (int b = _positives.Length - 1; b >= 0; b--)
            {
                double tpr = truePositives / _positiveWeight;
                double fpr = falsePositives / _negativeWeight;
                truePositives += _positives[b];
                falsePositives += _negatives[b];
                twiceArea += ((falsePositives / _negativeWeight) - fpr) * ((truePositives / _positiveWeight) + tpr);
            }

            return 0.5 * twiceArea;
        }
    }

    /// <summary>Gets the largest possible difference between <see cref="Value"/> and the exact AUC of the scores added.</summary>
    /// <exception cref="InvalidOperationException">Only one class has positive weight so far.</exception>
    public double ErrorBound
    {
        get
        {
            RequireBothClasses();
            double tiedPairs = 0;
            for (int b = 0; b < _positives.Length; b++)
            {
                tiedPairs += _positives[b] / _positiveWeight * (_negatives[b] / _negativeWeight);
            }

            return 0.5 * tiedPairs;
        }
    }

    /// <summary>Adds one example.</summary>
    /// <param name="actual">The actual label.</param>
    /// <param name="score">The score, larger meaning more likely positive; any finite number.</param>
    /// <param name="weight">The example's weight; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">The score is NaN or infinite, or the weight is negative or not finite; nothing is added.</exception>
    public void Add(bool actual, double score, double weight = 1.0)
    {
        if (!double.IsFinite(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "The score must be finite.");
        }

        MetricArguments.RequireWeight(weight);

        int bin = (int)Math.Clamp((score - _minimum) * _scale, 0, _positives.Length - 1);
        if (actual)
        {
            _positives[bin] += weight;
            _positiveWeight += weight;
        }
        else
        {
            _negatives[bin] += weight;
            _negativeWeight += weight;
        }
    }

    /// <inheritdoc />
    public void Merge(BinnedRocAuc other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._positives.Length != _positives.Length || other._minimum != _minimum || other._maximum != _maximum)
        {
            throw new ArgumentException("Only accumulators with the same bins and range merge.", nameof(other));
        }

        for (int b = 0; b < _positives.Length; b++)
        {
            _positives[b] += other._positives[b];
            _negatives[b] += other._negatives[b];
        }

        _positiveWeight += other._positiveWeight;
        _negativeWeight += other._negativeWeight;
    }

    /// <summary>Removes every example.</summary>
    public void Reset()
    {
        Array.Clear(_positives);
        Array.Clear(_negatives);
        _positiveWeight = 0;
        _negativeWeight = 0;
    }

    private void RequireBothClasses()
    {
        if (!(_positiveWeight > 0 && _negativeWeight > 0))
        {
            throw new InvalidOperationException("ROC AUC needs both classes with positive weight; the window holds only one class so far (or is an empty window).");
        }
    }
}
