using FeedbackLoop.State;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// The streaming form of <see cref="CalibrationCurve"/> with equal-width bins: add one (label, probability) pair at a
/// time, merge two accumulators, and read the reliability diagram, ECE and MCE at any time. Quantile bins depend on the
/// whole batch and are batch only.
/// </summary>
/// <remarks>
/// Each bin keeps its weight, the weighted sum of probabilities and the weighted count of positives, so the curve read
/// from an accumulator is the batch curve of the same pairs. <see cref="Add"/> does not allocate. Not thread-safe:
/// merge per-thread accumulators.
/// </remarks>
public sealed class CalibrationAccumulator : IMergeable<CalibrationAccumulator>
{
    private const int MaximumBins = 1_000;

    private readonly double[] _edges;
    private readonly bool _uniform;
    private readonly double[] _classWeights; // [2 b] the negatives' weight in bin b, [2 b + 1] the positives'
    private readonly double[] _probabilities;

    /// <summary>Initializes an empty accumulator with equal-width bins.</summary>
    /// <param name="binCount">The number of bins, 1 to 1,000; 10 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="binCount"/> is out of range.</exception>
    public CalibrationAccumulator(int binCount = 10)
        : this(UniformEdges(binCount), uniform: true)
    {
    }

    internal CalibrationAccumulator(double[] edges, bool uniform)
    {
        _edges = edges;
        _uniform = uniform;
        _classWeights = new double[2 * (edges.Length - 1)];
        _probabilities = new double[edges.Length - 1];
    }

    /// <summary>Gets the number of bins.</summary>
    public int BinCount => _probabilities.Length;

    /// <summary>Gets the total weight of the pairs added.</summary>
    /// <remarks>Summed over the bins when read, which keeps a running total off <see cref="Add"/>.</remarks>
    public double TotalWeight => _classWeights.Sum();

    /// <summary>Adds one pair.</summary>
    /// <param name="actual">The actual label.</param>
    /// <param name="probability">The predicted probability of the positive class, in [0, 1].</param>
    /// <param name="weight">The pair's weight; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">The probability is not in [0, 1], or the weight is negative or not finite; nothing is added.</exception>
    public void Add(bool actual, double probability, double weight = 1.0)
    {
        MetricArguments.RequireProbability(probability);

        MetricArguments.RequireWeight(weight);

        int bin = BinOf(probability);
        _classWeights[(2 * bin) + (actual ? 1 : 0)] += weight;
        _probabilities[bin] += weight * probability;
    }

    /// <inheritdoc />
    public void Merge(CalibrationAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other._edges.AsSpan().SequenceEqual(_edges))
        {
            throw new ArgumentException("Only accumulators with the same bins merge.", nameof(other));
        }

        for (int b = 0; b < _probabilities.Length; b++)
        {
            _classWeights[2 * b] += other._classWeights[2 * b];
            _classWeights[(2 * b) + 1] += other._classWeights[(2 * b) + 1];
            _probabilities[b] += other._probabilities[b];
        }

    }

    /// <summary>Removes every pair.</summary>
    public void Reset()
    {
        Array.Clear(_classWeights);
        Array.Clear(_probabilities);
    }

    /// <summary>Reads the reliability diagram of the pairs added so far.</summary>
    /// <returns>The curve, with its non-empty bins.</returns>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public CalibrationCurve ToCurve()
    {
        if (!(TotalWeight > 0))
        {
            throw new InvalidOperationException("No pair with positive weight has been added; an empty window has no calibration.");
        }

        var bins = new List<ReliabilityBin>();
        for (int b = 0; b < _probabilities.Length; b++)
        {
            double weight = _classWeights[2 * b] + _classWeights[(2 * b) + 1];
            if (weight > 0)
            {
                bins.Add(new ReliabilityBin(_edges[b], _edges[b + 1], weight, _probabilities[b] / weight, _classWeights[(2 * b) + 1] / weight));
            }
        }

        return new CalibrationCurve(bins);
    }

    /// <summary>The edges of <c>np.linspace(0, 1, n + 1)</c>: i · (1 / n), and exactly 1 last.</summary>
    internal static double[] UniformEdges(int binCount)
    {
        RequireBinCount(binCount);
        var edges = new double[binCount + 1];
        double step = 1.0 / binCount;
        for (int i = 0; i < binCount; i++)
        {
            edges[i] = i * step;
        }

        edges[binCount] = 1.0;
        return edges;
    }

    internal static void RequireBinCount(int binCount)
    {
        if (binCount is < 1 or > MaximumBins)
        {
            throw new ArgumentOutOfRangeException(nameof(binCount), binCount, "The number of bins must be between 1 and 1,000.");
        }
    }

    /// <summary>The number of inner edges below <paramref name="probability"/>: <c>np.searchsorted(edges[1:-1], p)</c>.</summary>
    /// <remarks>
    /// Equal-width bins start from ⌊p n⌋ and correct it by one against the edges themselves (edge i is i · (1 / n),
    /// which rounding can put on either side of the exact i / n); other bins search.
    /// </remarks>
    private int BinOf(double probability)
    {
        if (_uniform)
        {
            int bins = _probabilities.Length;
            int bin = Math.Min((int)(probability * bins), bins - 1);
            if (bin > 0 && probability <= _edges[bin])
            {
                return bin - 1;
            }

            return bin < bins - 1 && probability > _edges[bin + 1] ? bin + 1 : bin;
        }

        int low = 1;
        int high = _edges.Length - 1;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_edges[middle] < probability)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low - 1;
    }
}
