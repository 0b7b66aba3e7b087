using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// The Page-Hinkley test (Page 1954, "Continuous inspection schemes", Biometrika 41(1/2), pp. 100-115) for a
/// change in the mean of a stream of real values, in the streaming form of River's <c>drift.PageHinkley</c> and
/// MOA's <c>PageHinkleyDM</c>.
/// </summary>
/// <remarks>
/// <para>
/// After <c>t</c> values the detector holds the running mean <c>x̄_t = (x_1 + ... + x_t) / t</c> and the faded
/// cumulative deviations <c>m_t = α m_(t-1) + (x_t - x̄_t - δ)</c> for an increase and
/// <c>u_t = α u_(t-1) + (x_t - x̄_t + δ)</c> for a decrease, with <c>m_0 = u_0 = 0</c>. It keeps
/// <c>M_t = min m_i</c> and <c>U_t = max u_i</c> over the current statistic; the increase statistic is
/// <c>m_t - M_t</c> and the decrease statistic <c>U_t - u_t</c> (the mirror image of the first). Once
/// <see cref="Count"/> &gt;= <see cref="MinimumInstances"/>, a watched statistic strictly above
/// <see cref="Threshold"/> (λ) is a drift.
/// </para>
/// <para>
/// As in River, the forgetting factor <c>α</c> multiplies the previous cumulative sums only; the mean itself is the
/// plain cumulative mean of the current statistic (River's <c>stats.Mean</c>). With <c>α = 1</c> this is Page's
/// original test. River starts the decrease maximum at -1 rather than -∞; because the first decrease term is
/// <c>δ &gt;= 0</c>, both starts give the same statistic. The mean is kept as a running sum divided by the count,
/// and <c>x_t - x̄_t - δ</c> is grouped before it is added to the faded sum, which differ from River's incremental
/// update only in the last bits and keep a division off the loop-carried path.
/// </para>
/// <para>
/// Page-Hinkley has no warning zone: <see cref="State"/> is only ever <see cref="DriftState.None"/> or
/// <see cref="DriftState.Drift"/>. After a drift the detector restarts, as River does: the value that raised the
/// drift is reported with <see cref="DriftState.Drift"/>, and the next <see cref="Update"/> first clears all state,
/// so that value is the first of a new statistic.
/// </para>
/// <para>
/// <see cref="Delta"/> and <see cref="Threshold"/> are in the units of the stream and must be chosen for its
/// noise: with the defaults, a stream of N(0, 1) noise raises a false alarm after about 1,300 values (median), while
/// <c>δ</c> = σ / 2 (the classic CUSUM reference value for a shift of one σ) and λ = 50 practically never do
/// (see docs/drift-detectors.md).
/// </para>
/// <para>
/// Instances are not thread-safe: use one instance per monitored stream and serialise calls to it.
/// <see cref="Update"/> does not allocate.
/// </para>
/// </remarks>
public sealed class PageHinkley : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    private static readonly Vector128<double> NegateSecond = Vector128.Create(0.0, -0.0);

    private readonly long _minimumInstances;
    private readonly double _delta;
    private readonly double _threshold;
    private readonly double _alpha;
    private readonly ChangeDirection _direction;
    private readonly uint _watched;

    private Sums _sums;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="PageHinkley"/> class.</summary>
    /// <param name="minimumInstances">
    /// The number of values that must be seen before a drift can be raised. Defaults to 30 (River's
    /// <c>min_instances</c>).
    /// </param>
    /// <param name="delta">
    /// The magnitude of change tolerated (δ), subtracted from every deviation of the increase sum and added to every
    /// deviation of the decrease sum. Defaults to 0.005 (River, MOA).
    /// </param>
    /// <param name="threshold">The detection threshold λ on the statistic. Defaults to 50 (River, MOA).</param>
    /// <param name="alpha">
    /// The forgetting factor α applied to the cumulative sums, in (0, 1]; 1 disables forgetting. Defaults to
    /// 1 - 0.0001 (River, MOA).
    /// </param>
    /// <param name="direction">Which changes of the mean raise a drift. Defaults to <see cref="ChangeDirection.Both"/> (River's <c>mode="both"</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="minimumInstances"/> is less than 1, <paramref name="delta"/> is negative or not finite,
    /// <paramref name="threshold"/> is not a finite positive number, <paramref name="alpha"/> is not in (0, 1], or
    /// <paramref name="direction"/> is not a defined <see cref="ChangeDirection"/>.
    /// </exception>
    public PageHinkley(
        int minimumInstances = 30,
        double delta = 0.005,
        double threshold = 50,
        double alpha = 1 - 1e-4,
        ChangeDirection direction = ChangeDirection.Both)
    {
        if (minimumInstances < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(minimumInstances),
                minimumInstances,
                "The minimum number of instances must be at least 1.");
        }

        if (!double.IsFinite(delta) || delta < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(delta),
                delta,
                "Delta must be a finite number greater than or equal to 0.");
        }

        if (!double.IsFinite(threshold) || threshold <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(threshold),
                threshold,
                "The threshold must be a finite number greater than 0.");
        }

        if (!(alpha > 0 && alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(alpha),
                alpha,
                "Alpha (the forgetting factor) must be greater than 0 and at most 1.");
        }

        if (direction is not (ChangeDirection.Up or ChangeDirection.Down or ChangeDirection.Both))
        {
            throw new ArgumentOutOfRangeException(
                nameof(direction),
                direction,
                "The direction must be Up, Down or Both.");
        }

        _minimumInstances = minimumInstances;
        _delta = delta;
        _threshold = threshold;
        _alpha = alpha;
        _direction = direction;
        // Bit 0 is the increase lane of the exceedance mask, bit 1 the decrease lane.
        _watched = (direction != ChangeDirection.Down ? 1u : 0u) | (direction != ChangeDirection.Up ? 2u : 0u);
        Reset();
    }

    /// <summary>Gets the number of values that must be seen before a drift can be raised.</summary>
    /// <value>30 by default.</value>
    public int MinimumInstances => (int)_minimumInstances;

    /// <summary>Gets the magnitude of change tolerated (δ).</summary>
    /// <value>0.005 by default.</value>
    public double Delta => _delta;

    /// <summary>Gets the detection threshold (λ).</summary>
    /// <value>50 by default.</value>
    public double Threshold => _threshold;

    /// <summary>Gets the forgetting factor (α) applied to the cumulative sums.</summary>
    /// <value>1 - 0.0001 by default.</value>
    public double Alpha => _alpha;

    /// <summary>Gets which changes of the mean raise a drift.</summary>
    /// <value><see cref="ChangeDirection.Both"/> by default.</value>
    public ChangeDirection Direction => _direction;

    /// <inheritdoc />
    /// <remarks>Never <see cref="DriftState.Warning"/>: Page-Hinkley has no warning zone.</remarks>
    public DriftState State => _state;

    /// <summary>Gets the number of values in the current statistic (since construction, the last drift or <see cref="Reset"/>).</summary>
    /// <value>0 before the first value.</value>
    /// <remarks>After a drift this still counts the values that led to it until the next <see cref="Update"/>.</remarks>
    public long Count => (long)_sums.Count;

    /// <summary>Gets the running mean <c>x̄_t</c> of the current statistic.</summary>
    /// <value>0 before the first value.</value>
    public double Mean => _sums.Count == 0 ? 0.0 : _sums.Sum / _sums.Count;

    /// <summary>
    /// Gets the Page-Hinkley statistic compared with <see cref="Threshold"/>: <c>m_t - M_t</c> for
    /// <see cref="ChangeDirection.Up"/>, <c>U_t - u_t</c> for <see cref="ChangeDirection.Down"/>, and
    /// the larger of the two for <see cref="ChangeDirection.Both"/>.
    /// </summary>
    /// <value>0 before the first value; never negative.</value>
    public double Statistic
    {
        get
        {
            if (_sums.Count == 0)
            {
                return 0.0;
            }

            double increase = _sums.Increase - _sums.IncreaseMinimum;
            double decrease = _sums.DecreaseMaximum - _sums.Decrease;
            return _direction switch
            {
                ChangeDirection.Up => increase,
                ChangeDirection.Down => decrease,
                _ => Math.Max(increase, decrease),
            };
        }
    }

    /// <summary>Adds one value.</summary>
    /// <param name="value">The observation; any finite number.</param>
    /// <returns><see cref="DriftState.Drift"/> when this value raised a drift, otherwise <see cref="DriftState.None"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite; the state is kept.</exception>
    public DriftState Update(double value)
    {
        if (!double.IsFinite(value))
        {
            ThrowNotFinite(value);
        }

        if (_state == DriftState.Drift)
        {
            Reset();
        }

        _state = Add(ref _sums, value, _alpha, _delta, _threshold) ? DriftState.Drift : DriftState.None;
        return _state;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The same results as <see cref="Update"/> value by value, with the sums kept in registers across the batch
    /// (about twice as fast per value; see docs/benchmarks.md).
    /// </remarks>
    public int UpdateUntilDrift(ReadOnlySpan<double> values)
    {
        int finite = DetectorArguments.FiniteLength(values);
        if (finite == 0 && !values.IsEmpty)
        {
            ThrowNotFinite(values[0]);
        }

        if (_state == DriftState.Drift && finite > 0)
        {
            Reset();
        }

        Sums sums = _sums;
        (double alpha, double delta, double threshold) = (_alpha, _delta, _threshold);
        int added = 0;
        bool drift = false;
        foreach (double value in values[..finite])
        {
            added++;
            if (Add(ref sums, value, alpha, delta, threshold))
            {
                drift = true;
                break;
            }
        }

        _sums = sums;
        _state = drift ? DriftState.Drift : DriftState.None;
        if (added < values.Length && !drift)
        {
            ThrowNotFinite(values[added]);
        }

        return added;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _sums = new Sums(0, 0, 0, double.PositiveInfinity, 0, double.NegativeInfinity);
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot() =>
        new SnapshotWriter(nameof(PageHinkley), SnapshotVersion)
            .Write(_minimumInstances).Write(_delta).Write(_threshold).Write(_alpha).Write((int)_direction)
            .Write((long)_sums.Count).Write(_sums.Sum).Write(_sums.Increase).Write(_sums.IncreaseMinimum).Write(_sums.Decrease).Write(_sums.DecreaseMaximum)
            .Write((int)_state)
            .ToSnapshot();

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(PageHinkley), SnapshotVersion);
        reader.ExpectParameter(nameof(MinimumInstances), _minimumInstances);
        reader.ExpectParameter(nameof(Delta), _delta);
        reader.ExpectParameter(nameof(Threshold), _threshold);
        reader.ExpectParameter(nameof(Alpha), _alpha);
        reader.ExpectParameter(nameof(Direction), (long)_direction);
        long count = reader.ReadInt64();
        double sum = reader.ReadDouble();
        double increaseSum = reader.ReadDouble();
        double increaseMinimum = reader.ReadDouble();
        double decreaseSum = reader.ReadDouble();
        double decreaseMaximum = reader.ReadDouble();
        var state = (DriftState)reader.ReadInt32();
        reader.End();
        if (count < 0 || state is not (DriftState.None or DriftState.Drift))
        {
            throw reader.Corrupt("the count or state is out of range");
        }

        _sums = new Sums(count, sum, increaseSum, increaseMinimum, decreaseSum, decreaseMaximum);
        _state = state;
    }

    /// <summary>
    /// Adds one value to <paramref name="sums"/> and says whether it raised a drift. The parameters come in as
    /// arguments so that a batch holds them in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Add(ref Sums sums, double value, double alpha, double delta, double threshold)
    {
        double count = ++sums.Count;
        double sum = sums.Sum += value;
        double deviation = value - (sum / count);

        // Page (1954) with River's forgetting factor on the sums: m_t = α m_(t-1) + (x_t - x̄_t - δ) and the
        // mirrored u_t = α u_(t-1) + (x_t - x̄_t + δ), both in one vector as [m_t, -u_t]. Negation is exact and
        // rounding to nearest is symmetric, so -u_t is computed to the bit as the negated scalar form would be, and
        // one native minimum (exact: the values are finite) tracks both M_t = min m_i and -U_t = min -u_i.
        Vector128<double> terms = (Vector128.Create(deviation) ^ NegateSecond) - Vector128.Create(delta);
        Vector128<double> deviations = sums.Deviations = (Vector128.Create(alpha) * sums.Deviations) + terms;
        Vector128<double> extremes = sums.Extremes = Vector128.MinNative(sums.Extremes, deviations);

        // [m_t - M_t, U_t - u_t] against λ; one rarely taken branch, the direction and the warm-up looked at only past it.
        uint exceeds = Vector128.GreaterThan(deviations - extremes, Vector128.Create(threshold)).ExtractMostSignificantBits();
        return exceeds != 0 && count >= _minimumInstances && (exceeds & _watched) != 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(double value) =>
        throw new ArgumentOutOfRangeException(
            nameof(value),
            value,
            "Page-Hinkley takes finite values: the value must not be NaN or infinite.");

    /// <summary>The running sum and the faded cumulative deviations with their extremes.</summary>
    private struct Sums
    {
        /// <summary>The count as a double (exact to 2^53), so the mean needs no integer conversion per value.</summary>
        public double Count;
        public double Sum;

        /// <summary><c>[m_t, -u_t]</c>: the increase sum and the negated decrease sum.</summary>
        public Vector128<double> Deviations;

        /// <summary><c>[M_t, -U_t]</c>: the least increase sum and the negated greatest decrease sum.</summary>
        public Vector128<double> Extremes;

        public Sums(double count, double sum, double increase, double increaseMinimum, double decrease, double decreaseMaximum)
        {
            Count = count;
            Sum = sum;
            Deviations = Vector128.Create(increase, -decrease);
            Extremes = Vector128.Create(increaseMinimum, -decreaseMaximum);
        }

        public readonly double Increase => Deviations[0];

        public readonly double IncreaseMinimum => Extremes[0];

        public readonly double Decrease => -Deviations[1];

        public readonly double DecreaseMaximum => -Extremes[1];
    }
}
