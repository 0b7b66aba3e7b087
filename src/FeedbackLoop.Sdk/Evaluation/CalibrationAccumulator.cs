using FeedbackLoop.Drift;

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
    private readonly double[] _weights;
    private readonly double[] _probabilities;
    private readonly double[] _positives;
    private double _totalWeight;

    /// <summary>Initializes an empty accumulator with equal-width bins.</summary>
    /// <param name="binCount">The number of bins, 1 to 1,000; 10 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="binCount"/> is out of range.</exception>
    public CalibrationAccumulator(int binCount = 10)
        : this(UniformEdges(binCount))
    {
    }

    internal CalibrationAccumulator(double[] edges)
    {
        _edges = edges;
        _weights = new double[edges.Length - 1];
        _probabilities = new double[edges.Length - 1];
        _positives = new double[edges.Length - 1];
    }

    /// <summary>Gets the number of bins.</summary>
    public int BinCount => _weights.Length;

    /// <summary>Gets the total weight of the pairs added.</summary>
    public double TotalWeight => _totalWeight;

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

        int bin = BinOf(probability);
        _weights[bin] += weight;
        _probabilities[bin] += weight * probability;
        _positives[bin] += actual ? weight : 0.0;
        _totalWeight += weight;
    }

    /// <inheritdoc />
    public void Merge(CalibrationAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other._edges.AsSpan().SequenceEqual(_edges))
        {
            throw new ArgumentException("Only accumulators with the same bins merge.", nameof(other));
        }

        for (int b = 0; b < _weights.Length; b++)
        {
            _weights[b] += other._weights[b];
            _probabilities[b] += other._probabilities[b];
            _positives[b] += other._positives[b];
        }

        _totalWeight += other._totalWeight;
    }

    /// <summary>Removes every pair.</summary>
    public void Reset()
    {
        Array.Clear(_weights);
        Array.Clear(_probabilities);
        Array.Clear(_positives);
        _totalWeight = 0;
    }

    /// <summary>Reads the reliability diagram of the pairs added so far.</summary>
    /// <returns>The curve, with its non-empty bins.</returns>
    /// <exception cref="InvalidOperationException">No pair with positive weight has been added.</exception>
    public CalibrationCurve ToCurve()
    {
        if (!(_totalWeight > 0))
        {
            throw new InvalidOperationException("No pair with positive weight has been added; an empty window has no calibration.");
        }

        var bins = new List<ReliabilityBin>();
        for (int b = 0; b < _weights.Length; b++)
        {
            if (_weights[b] > 0)
            {
                bins.Add(new ReliabilityBin(_edges[b], _edges[b + 1], _weights[b], _probabilities[b] / _weights[b], _positives[b] / _weights[b]));
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
    private int BinOf(double probability)
    {
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
