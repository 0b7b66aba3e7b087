using System.Runtime.CompilerServices;
using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// The cumulative sum (CUSUM) test for a change in the mean of a stream (Page 1954, "Continuous inspection schemes",
/// Biometrika 41(1/2)), in the streaming form of MOA's <c>CusumDM</c>: the deviations from the running mean, less an
/// allowance δ, are accumulated and floored at zero, and a sum above the threshold λ is a drift.
/// </summary>
/// <remarks>
/// <para>
/// After <c>t</c> values the detector holds the running mean <c>x̄_t</c> and the sums
/// <c>S⁺_t = max(0, S⁺_(t-1) + x_t - x̄_t - δ)</c> for an increase and <c>S⁻_t = max(0, S⁻_(t-1) - (x_t - x̄_t) - δ)</c>
/// for a decrease (the tabular CUSUM of Montgomery, "Introduction to Statistical Quality Control", section 9.1, with
/// the running mean as target, as MOA). Once <see cref="Count"/> &gt;= <see cref="MinimumInstances"/>, a watched sum
/// strictly above <see cref="Threshold"/> is a drift. MOA's <c>CusumDM</c> watches increases only
/// (<see cref="ChangeDirection.Up"/>, the default); the decrease sum is its mirror image. The mean is kept as a running
/// sum divided by the count rather than MOA's incremental update, which differ only in the last bits and keep a
/// division off the loop-carried path.
/// </para>
/// <para>
/// Unlike Page-Hinkley, CUSUM floors its sums at zero instead of tracking their extremes, and does not fade them.
/// There is no warning zone. After a drift the detector restarts, as MOA and River do: the value that raised the drift
/// is reported with <see cref="DriftState.Drift"/>, and the next <see cref="Update"/> first clears all state.
/// <see cref="Delta"/> and <see cref="Threshold"/> are in the units of the stream.
/// </para>
/// <para>
/// Instances are not thread-safe: use one instance per monitored stream and serialise calls to it.
/// <see cref="Update"/> does not allocate.
/// </para>
/// </remarks>
public sealed class Cusum : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    private readonly long _minimumInstances;
    private readonly double _delta;
    private readonly double _threshold;
    private readonly ChangeDirection _direction;
    private readonly bool _watchIncrease;
    private readonly bool _watchDecrease;

    private Sums _sums;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="Cusum"/> class.</summary>
    /// <param name="minimumInstances">The number of values that must be seen before a drift can be raised. Defaults to 30 (MOA's <c>minNumInstances</c>).</param>
    /// <param name="delta">The allowance δ subtracted from every deviation. Defaults to 0.005 (MOA).</param>
    /// <param name="threshold">The detection threshold λ. Defaults to 50 (MOA).</param>
    /// <param name="direction">Which changes of the mean raise a drift. Defaults to <see cref="ChangeDirection.Up"/> (MOA).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="minimumInstances"/> is less than 1, <paramref name="delta"/> is negative or not finite,
    /// <paramref name="threshold"/> is not a finite positive number, or <paramref name="direction"/> is not defined.
    /// </exception>
    public Cusum(int minimumInstances = 30, double delta = 0.005, double threshold = 50, ChangeDirection direction = ChangeDirection.Up)
    {
        _minimumInstances = DetectorArguments.AtLeast(minimumInstances, 1, nameof(minimumInstances), "The minimum number of instances");
        _delta = DetectorArguments.NonNegative(delta, nameof(delta), "Delta");
        _threshold = DetectorArguments.Positive(threshold, nameof(threshold), "The threshold");
        _direction = DetectorArguments.Direction(direction, nameof(direction));
        _watchIncrease = direction != ChangeDirection.Down;
        _watchDecrease = direction != ChangeDirection.Up;
    }

    /// <summary>Gets the number of values that must be seen before a drift can be raised.</summary>
    /// <value>30 by default.</value>
    public int MinimumInstances => (int)_minimumInstances;

    /// <summary>Gets the allowance δ.</summary>
    /// <value>0.005 by default.</value>
    public double Delta => _delta;

    /// <summary>Gets the detection threshold λ.</summary>
    /// <value>50 by default.</value>
    public double Threshold => _threshold;

    /// <summary>Gets which changes of the mean raise a drift.</summary>
    /// <value><see cref="ChangeDirection.Up"/> by default.</value>
    public ChangeDirection Direction => _direction;

    /// <inheritdoc />
    /// <remarks>Never <see cref="DriftState.Warning"/>.</remarks>
    public DriftState State => _state;

    /// <summary>Gets the number of values in the current statistic.</summary>
    public long Count => (long)_sums.Count;

    /// <summary>Gets the running mean of the current statistic.</summary>
    /// <value>0 before the first value.</value>
    public double Mean => _sums.Count == 0 ? 0 : _sums.Sum / _sums.Count;

    /// <summary>Gets the increase sum <c>S⁺</c>.</summary>
    public double IncreaseSum => _sums.Increase;

    /// <summary>Gets the decrease sum <c>S⁻</c>.</summary>
    public double DecreaseSum => _sums.Decrease;

    /// <summary>Adds one value.</summary>
    /// <param name="value">The observation; any finite number.</param>
    /// <returns><see cref="DriftState.Drift"/> when this value raised a drift, otherwise <see cref="DriftState.None"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite; the state is kept.</exception>
    public DriftState Update(double value)
    {
        if (!double.IsFinite(value))
        {
            DetectorArguments.ThrowNotFinite(nameof(Cusum), value);
        }

        if (_state == DriftState.Drift)
        {
            Reset();
        }

        _state = Add(ref _sums, value, _delta, _threshold) ? DriftState.Drift : DriftState.None;
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
            DetectorArguments.ThrowNotFinite(nameof(Cusum), values[0]);
        }

        if (_state == DriftState.Drift && finite > 0)
        {
            Reset();
        }

        Sums sums = _sums;
        (double delta, double threshold) = (_delta, _threshold);
        int added = 0;
        bool drift = false;
        foreach (double value in values[..finite])
        {
            added++;
            if (Add(ref sums, value, delta, threshold))
            {
                drift = true;
                break;
            }
        }

        _sums = sums;
        _state = drift ? DriftState.Drift : DriftState.None;
        if (added < values.Length && !drift)
        {
            DetectorArguments.ThrowNotFinite(nameof(Cusum), values[added]);
        }

        return added;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _sums = default;
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot() =>
        new SnapshotWriter(nameof(Cusum), SnapshotVersion)
            .Write(_minimumInstances).Write(_delta).Write(_threshold).Write((int)_direction)
            .Write((long)_sums.Count).Write(_sums.Sum).Write(_sums.Increase).Write(_sums.Decrease).Write((int)_state)
            .ToSnapshot();

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(Cusum), SnapshotVersion);
        reader.ExpectParameter(nameof(MinimumInstances), _minimumInstances);
        reader.ExpectParameter(nameof(Delta), _delta);
        reader.ExpectParameter(nameof(Threshold), _threshold);
        reader.ExpectParameter(nameof(Direction), (long)_direction);
        long count = reader.ReadInt64();
        double sum = reader.ReadDouble();
        double increase = reader.ReadDouble();
        double decrease = reader.ReadDouble();
        var state = (DriftState)reader.ReadInt32();
        reader.End();
        if (count < 0 || !(increase >= 0) || !(decrease >= 0) || state is not (DriftState.None or DriftState.Drift))
        {
            throw reader.Corrupt("the count, sums or state are out of range");
        }

        _sums = new Sums { Count = count, Sum = sum, Increase = increase, Decrease = decrease };
        _state = state;
    }

    /// <summary>
    /// Adds one value to <paramref name="sums"/> and says whether it raised a drift. The parameters come in as
    /// arguments so that a batch holds them in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Add(ref Sums sums, double value, double delta, double threshold)
    {
        double count = ++sums.Count;
        double sum = sums.Sum += value;
        double deviation = value - (sum / count);

        // Branch-free floors at zero (the values are finite, so the native maximum is exact).
        double increase = sums.Increase = double.MaxNative(0, sums.Increase + (deviation - delta));
        double decrease = sums.Decrease = double.MaxNative(0, sums.Decrease - (deviation + delta));
        bool increaseExceeds = increase > threshold;
        bool decreaseExceeds = decrease > threshold;

        // One rarely taken branch; the direction and the warm-up are looked at only past the threshold.
        return (increaseExceeds | decreaseExceeds)
            && count >= _minimumInstances
            && ((_watchIncrease & increaseExceeds) | (_watchDecrease & decreaseExceeds));
    }

    /// <summary>The running sum and the two CUSUM sums.</summary>
    private struct Sums
    {
        /// <summary>The count as a double (exact to 2^53), so the mean needs no integer conversion per value.</summary>
        public double Count;
        public double Sum;
        public double Increase;
        public double Decrease;
    }
}
