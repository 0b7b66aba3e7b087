using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// HDDM_A, the drift detection method based on Hoeffding's bounds with the moving-average test of Frías-Blanco,
/// del Campo-Ávila, Ramos-Jiménez, Morales-Bueno, Ortiz-Díaz and Caballero-Mota (2015), "Online and non-parametric
/// drift detection methods based on Hoeffding's bounds", IEEE TKDE 27(3), pp. 810-823, as MOA's <c>HDDM_A_Test</c>
/// and River's <c>drift.binary.HDDM_A</c> implement it.
/// </summary>
/// <remarks>
/// <para>
/// Input is any value in [0, 1], usually an error indicator. The detector keeps the running mean of all values
/// <c>Ẑ_n</c> and a cut point: the prefix whose mean plus its Hoeffding bound <c>sqrt(ln(1 / δ_D) / (2 n))</c> was
/// lowest (and, for the two-sided test, a second prefix whose mean minus its bound was highest). With
/// <c>m = (n - n_cut) / (n_cut n)</c>, an increase is significant at confidence δ when
/// <c>Ẑ_n - X̂_cut &gt;= sqrt(m / 2 · ln(2 / δ))</c> (the paper's Algorithm 1 with Corollary 1). A significant increase
/// at <see cref="DriftConfidence"/> is a drift, otherwise at <see cref="WarningConfidence"/> a warning; the two-sided
/// test also watches decreases the same way, a decrease drift taking precedence over an increase warning.
/// Means are kept as sums over counts, as MOA does.
/// </para>
/// <para>
/// After a drift the detector restarts, as MOA and River do: the next <see cref="Update"/> first clears all state.
/// Instances are not thread-safe. <see cref="Update"/> does not allocate.
/// </para>
/// </remarks>
public sealed class HddmA : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    private readonly double _driftConfidence;
    private readonly double _warningConfidence;
    private readonly bool _twoSided;

    // ln(1 / δ_D) / 2 for the cut bounds, and ln(2 / δ) / 2 for the two tests, computed once.
    private readonly double _cutBoundFactor;
    private readonly double _driftFactor;
    private readonly double _warningFactor;

    private long _count;
    private double _sum;
    private long _minimumCount;
    private double _minimumSum;
    private long _maximumCount;
    private double _maximumSum;
    private double _minimumMean;
    private double _minimumBound;
    private double _maximumMean;
    private double _maximumBound;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="HddmA"/> class.</summary>
    /// <param name="driftConfidence">δ_D, the confidence of the drift test. Defaults to 0.001 (the paper, MOA, River).</param>
    /// <param name="warningConfidence">δ_W, the confidence of the warning test. Defaults to 0.005 (the paper, MOA, River).</param>
    /// <param name="twoSided">Whether decreases are watched too. Defaults to <see langword="false"/> (River's <c>two_sided_test</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A confidence is not in (0, 1), or <paramref name="warningConfidence"/> is not above <paramref name="driftConfidence"/>.
    /// </exception>
    public HddmA(double driftConfidence = 0.001, double warningConfidence = 0.005, bool twoSided = false)
    {
        _driftConfidence = DetectorArguments.OpenUnit(driftConfidence, nameof(driftConfidence), "The drift confidence");
        _warningConfidence = DetectorArguments.OpenUnit(warningConfidence, nameof(warningConfidence), "The warning confidence");
        if (warningConfidence <= driftConfidence)
        {
            throw new ArgumentOutOfRangeException(nameof(warningConfidence), warningConfidence, $"The warning confidence must be greater than the drift confidence ({driftConfidence}).");
        }

        _twoSided = twoSided;
        _cutBoundFactor = Math.Log(1 / driftConfidence) / 2;
        _driftFactor = Math.Log(2 / driftConfidence) / 2;
        _warningFactor = Math.Log(2 / warningConfidence) / 2;
    }

    /// <summary>Gets δ_D, the confidence of the drift test.</summary>
    /// <value>0.001 by default.</value>
    public double DriftConfidence => _driftConfidence;

    /// <summary>Gets δ_W, the confidence of the warning test.</summary>
    /// <value>0.005 by default.</value>
    public double WarningConfidence => _warningConfidence;

    /// <summary>Gets a value indicating whether decreases are watched too.</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool TwoSided => _twoSided;

    /// <inheritdoc />
    public DriftState State => _state;

    /// <summary>Gets the number of values in the current statistic.</summary>
    public long Count => _count;

    /// <summary>Gets the mean of the current statistic, <c>Ẑ_n</c>.</summary>
    public double Mean => _count == 0 ? 0 : _sum / _count;

    /// <summary>Adds one value.</summary>
    /// <param name="value">A value in [0, 1], usually 1 for an error and 0 for a correct prediction.</param>
    /// <returns>The state after this value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is outside [0, 1] or NaN; the state is kept.</exception>
    public DriftState Update(double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            DetectorArguments.ThrowNotInUnitInterval("HDDM_A", value);
        }

        if (_state == DriftState.Drift)
        {
            Reset();
        }

        long n = ++_count;
        double sum = _sum += value;

        // One division and one square root per value: the cut points keep their mean and bound from when they were
        // set, and the tests below compare squares.
        double inverse = 1.0 / n;
        double mean = sum * inverse;
        double bound = Math.Sqrt(_cutBoundFactor * inverse);
        if (_minimumCount == 0 || _minimumMean + _minimumBound >= mean + bound)
        {
            (_minimumCount, _minimumSum, _minimumMean, _minimumBound) = (n, sum, mean, bound);
        }

        if (_maximumCount == 0 || _maximumMean - _maximumBound <= mean - bound)
        {
            (_maximumCount, _maximumSum, _maximumMean, _maximumBound) = (n, sum, mean, bound);
        }

        DriftState state = Test(mean - _minimumMean, _minimumCount);
        if (_twoSided)
        {
            DriftState decrease = Test(_maximumMean - mean, _maximumCount);
            state = (DriftState)Math.Max((int)state, (int)decrease);
        }

        _state = state;
        return state;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _count = 0;
        _sum = 0;
        _minimumCount = 0;
        _minimumSum = 0;
        _maximumCount = 0;
        _maximumSum = 0;
        _minimumMean = 0;
        _minimumBound = 0;
        _maximumMean = 0;
        _maximumBound = 0;
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot() =>
        new SnapshotWriter(nameof(HddmA), SnapshotVersion)
            .Write(_driftConfidence).Write(_warningConfidence).Write(_twoSided)
            .Write(_count).Write(_sum).Write(_minimumCount).Write(_minimumSum).Write(_maximumCount).Write(_maximumSum).Write((int)_state)
            .ToSnapshot();

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(HddmA), SnapshotVersion);
        reader.ExpectParameter(nameof(DriftConfidence), _driftConfidence);
        reader.ExpectParameter(nameof(WarningConfidence), _warningConfidence);
        reader.ExpectParameter(nameof(TwoSided), _twoSided ? 1 : 0);
        long count = reader.ReadInt64();
        double sum = reader.ReadDouble();
        long minimumCount = reader.ReadInt64();
        double minimumSum = reader.ReadDouble();
        long maximumCount = reader.ReadInt64();
        double maximumSum = reader.ReadDouble();
        var state = (DriftState)reader.ReadInt32();
        reader.End();
        if (count < 0 || minimumCount < 0 || minimumCount > count || maximumCount < 0 || maximumCount > count || !Enum.IsDefined(state))
        {
            throw reader.Corrupt("the counts or state are out of range");
        }

        _count = count;
        _sum = sum;
        (_minimumCount, _minimumSum, _minimumMean, _minimumBound) = (minimumCount, minimumSum, MeanOf(minimumSum, minimumCount), BoundOf(minimumCount));
        (_maximumCount, _maximumSum, _maximumMean, _maximumBound) = (maximumCount, maximumSum, MeanOf(maximumSum, maximumCount), BoundOf(maximumCount));
        _state = state;
    }

    private static double MeanOf(double sum, long count) => count == 0 ? 0 : sum * (1.0 / count);

    /// <summary>
    /// The paper's Corollary 1 for the difference between the current mean and the mean at the cut point:
    /// <c>difference &gt;= sqrt(m / 2 · ln(2 / δ))</c> with <c>m = (n - n_cut) / (n_cut n)</c>, compared as
    /// <c>difference² · n_cut · n &gt;= (n - n_cut) · ln(2 / δ) / 2</c> for a non-negative difference, without a
    /// division or square root.
    /// </summary>
    private DriftState Test(double difference, long cutCount)
    {
        long n = _count;
        if (cutCount == n || difference < 0)
        {
            return DriftState.None;
        }

        double left = difference * difference * cutCount * n;
        double right = n - cutCount;
        return left >= right * _driftFactor ? DriftState.Drift
            : left >= right * _warningFactor ? DriftState.Warning
            : DriftState.None;
    }

    private double BoundOf(long count) => count == 0 ? 0 : Math.Sqrt(_cutBoundFactor * (1.0 / count));
}
