using System.Runtime.CompilerServices;
using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// The Drift Detection Method (DDM) of Gama, Medas, Castillo and Rodrigues (2004), "Learning with Drift
/// Detection", SBIA 2004, LNCS 3171, pp. 286-295: it watches a classifier's error stream and signals when the
/// error rate rises significantly above the lowest rate seen so far.
/// </summary>
/// <remarks>
/// <para>
/// Input is the error indicator of each prediction: <c>1</c> when it was wrong, <c>0</c> when it was right.
/// After <c>i</c> values the detector holds the error rate <c>p_i</c> and its binomial standard deviation
/// <c>s_i = sqrt(p_i (1 - p_i) / i)</c> (Gama et al. 2004, section 3). Once more than
/// <see cref="MinimumInstances"/> values have been seen it keeps <c>p_min</c> and <c>s_min</c>, the values of
/// <c>p_i</c> and <c>s_i</c> where <c>p_i + s_i</c> was lowest, and reports
/// <see cref="DriftState.Warning"/> when <c>p_i + s_i &gt; p_min + w * s_min</c> and
/// <see cref="DriftState.Drift"/> when <c>p_i + s_i &gt; p_min + d * s_min</c>, with <c>w</c> =
/// <see cref="WarningThreshold"/> and <c>d</c> = <see cref="DriftThreshold"/>.
/// </para>
/// <para>
/// This follows River's <c>drift.binary.DDM</c> (defaults <c>warm_start = 30</c>,
/// <c>warning_threshold = 2.0</c>, <c>drift_threshold = 3.0</c>) in every decision: the minimum is updated
/// when <c>p_i + s_i &lt;= p_min + s_min</c> and only while <see cref="Count"/> &gt;
/// <see cref="MinimumInstances"/>, warning and drift use strict inequalities, and a drift takes precedence over a
/// warning. The paper writes the tests with <c>&gt;=</c>; the strict form is kept because with <c>&gt;=</c> an
/// error-free stream (<c>p_min = s_min = 0</c>) would signal a drift on every value after the warm-up.
/// MOA's <c>DDM</c> computes the same <c>p_i</c> and <c>s_i</c> but counts from one, so it starts tracking the
/// minimum and warning at the 29th value and allows a drift from the 30th; River's counting is used here because
/// the product names River's defaults. <c>p_i</c> is computed as errors / count rather than River's incremental
/// mean, which differs only in the last bits and avoids a division on the loop-carried path.
/// </para>
/// <para>
/// After a drift the detector restarts, as River does: the value that raised the drift is reported with
/// <see cref="DriftState.Drift"/>, and the next <see cref="Update"/> first clears all state, so that value is the
/// first of a new statistic. <see cref="DriftState.Warning"/> is never reported during the warm-up.
/// </para>
/// <para>
/// Like its references, DDM raises false alarms on stationary streams whose minimum was taken from a noisy early
/// estimate: on Bernoulli(0.1) errors with the defaults about 45% of 10,000-value streams raise at least one
/// drift, most of them in the first few hundred values (see docs/drift-detectors.md). A larger
/// <see cref="MinimumInstances"/> lowers that rate.
/// </para>
/// <para>
/// Instances are not thread-safe: use one instance per monitored stream and serialise calls to it.
/// <see cref="Update"/> does not allocate.
/// </para>
/// </remarks>
public sealed class Ddm : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    private readonly double _warningThreshold;
    private readonly double _driftThreshold;
    private readonly long _minimumInstances;

    private long _count;
    private double _errors;
    private double _minimumErrorRate;
    private double _minimumStandardDeviation;
    private double _minimumSum;
    private double _warningLevel;
    private double _driftLevel;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="Ddm"/> class.</summary>
    /// <param name="minimumInstances">
    /// The number of values that must be seen before the minimum is tracked and a warning or drift can be raised;
    /// evaluation starts at the value after it. Defaults to 30 (River's <c>warm_start</c>, MOA's
    /// <c>minNumInstances</c>).
    /// </param>
    /// <param name="warningThreshold">
    /// The number of <c>s_min</c> above <c>p_min</c> at which the warning zone starts. Defaults to 2.0 (about 95%
    /// confidence; Gama et al. 2004).
    /// </param>
    /// <param name="driftThreshold">
    /// The number of <c>s_min</c> above <c>p_min</c> at which a drift is signalled. Defaults to 3.0 (about 99%
    /// confidence; Gama et al. 2004).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="minimumInstances"/> is less than 1, a threshold is not finite or not positive, or
    /// <paramref name="warningThreshold"/> is not less than <paramref name="driftThreshold"/>.
    /// </exception>
    public Ddm(int minimumInstances = 30, double warningThreshold = 2.0, double driftThreshold = 3.0)
    {
        if (minimumInstances < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(minimumInstances),
                minimumInstances,
                "The minimum number of instances must be at least 1.");
        }

        if (!double.IsFinite(warningThreshold) || warningThreshold <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(warningThreshold),
                warningThreshold,
                "The warning threshold must be a finite number greater than 0.");
        }

        if (!double.IsFinite(driftThreshold) || driftThreshold <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(driftThreshold),
                driftThreshold,
                "The drift threshold must be a finite number greater than 0.");
        }

        if (warningThreshold >= driftThreshold)
        {
            throw new ArgumentOutOfRangeException(
                nameof(warningThreshold),
                warningThreshold,
                $"The warning threshold must be less than the drift threshold ({driftThreshold}).");
        }

        _minimumInstances = minimumInstances;
        _warningThreshold = warningThreshold;
        _driftThreshold = driftThreshold;
        Reset();
    }

    /// <summary>Gets the number of values that must be seen before the detector evaluates.</summary>
    /// <value>The warm-up length; 30 by default.</value>
    public int MinimumInstances => (int)_minimumInstances;

    /// <summary>Gets the number of <c>s_min</c> above <c>p_min</c> at which the warning zone starts.</summary>
    /// <value>2.0 by default.</value>
    public double WarningThreshold => _warningThreshold;

    /// <summary>Gets the number of <c>s_min</c> above <c>p_min</c> at which a drift is signalled.</summary>
    /// <value>3.0 by default.</value>
    public double DriftThreshold => _driftThreshold;

    /// <inheritdoc />
    public DriftState State => _state;

    /// <summary>Gets the number of values in the current statistic (since construction, the last drift or <see cref="Reset"/>).</summary>
    /// <value>0 before the first value.</value>
    /// <remarks>After a drift this still counts the values that led to it until the next <see cref="Update"/>.</remarks>
    public long Count => _count;

    /// <summary>Gets the error rate <c>p_i</c> of the current statistic.</summary>
    /// <value>Errors divided by <see cref="Count"/>; 0 before the first value.</value>
    public double ErrorRate => _count == 0 ? 0.0 : _errors / _count;

    /// <summary>Gets <c>p_min</c>, the error rate where <c>p_i + s_i</c> was lowest after the warm-up.</summary>
    /// <value><see cref="double.PositiveInfinity"/> until the first value after the warm-up.</value>
    public double MinimumErrorRate => _minimumErrorRate;

    /// <summary>Gets <c>s_min</c>, the standard deviation where <c>p_i + s_i</c> was lowest after the warm-up.</summary>
    /// <value><see cref="double.PositiveInfinity"/> until the first value after the warm-up.</value>
    public double MinimumStandardDeviation => _minimumStandardDeviation;

    /// <summary>Adds one error indicator.</summary>
    /// <param name="value"><c>1</c> when the prediction was wrong, <c>0</c> when it was right.</param>
    /// <returns>
    /// <see cref="DriftState.Drift"/> when this value raised a drift, <see cref="DriftState.Warning"/> when the
    /// error rate is in the warning zone, otherwise <see cref="DriftState.None"/>.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not exactly 0 or 1 (NaN included).</exception>
    public DriftState Update(double value)
    {
        if (value != 0.0 && value != 1.0)
        {
            ThrowNotAnErrorIndicator(value);
        }

        if (_state == DriftState.Drift)
        {
            Reset();
        }

        long count = ++_count;
        double errors = _errors += value;
        if (count <= _minimumInstances)
        {
            return _state;
        }

        // Gama et al. (2004), section 3: p_i is the error rate after i values and
        // s_i = sqrt(p_i (1 - p_i) / i) its binomial standard deviation. Both derive from the two counters only,
        // so the divisions and the square root stay off the loop-carried dependency chain.
        double n = count;
        double p = errors / n;
        double s = Math.Sqrt(p * (1.0 - p) / n);
        double ps = p + s;

        if (ps <= _minimumSum)
        {
            _minimumErrorRate = p;
            _minimumStandardDeviation = s;
            _minimumSum = ps;
            _warningLevel = p + (_warningThreshold * s);
            _driftLevel = p + (_driftThreshold * s);
        }

        DriftState state = ps > _driftLevel ? DriftState.Drift
            : ps > _warningLevel ? DriftState.Warning
            : DriftState.None;
        _state = state;
        return state;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _count = 0;
        _errors = 0.0;
        _minimumErrorRate = double.PositiveInfinity;
        _minimumStandardDeviation = double.PositiveInfinity;
        _minimumSum = double.PositiveInfinity;
        _warningLevel = double.PositiveInfinity;
        _driftLevel = double.PositiveInfinity;
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot() =>
        new SnapshotWriter(nameof(Ddm), SnapshotVersion)
            .Write(_minimumInstances).Write(_warningThreshold).Write(_driftThreshold)
            .Write(_count).Write(_errors).Write(_minimumErrorRate).Write(_minimumStandardDeviation)
            .Write((int)_state)
            .ToSnapshot();

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(Ddm), SnapshotVersion);
        reader.ExpectParameter(nameof(MinimumInstances), _minimumInstances);
        reader.ExpectParameter(nameof(WarningThreshold), _warningThreshold);
        reader.ExpectParameter(nameof(DriftThreshold), _driftThreshold);
        long count = reader.ReadInt64();
        double errors = reader.ReadDouble();
        double minimumErrorRate = reader.ReadDouble();
        double minimumStandardDeviation = reader.ReadDouble();
        var state = (DriftState)reader.ReadInt32();
        reader.End();
        if (count < 0 || errors < 0 || errors > count || !Enum.IsDefined(state))
        {
            throw reader.Corrupt("the count, error count or state is out of range");
        }

        _count = count;
        _errors = errors;
        _minimumErrorRate = minimumErrorRate;
        _minimumStandardDeviation = minimumStandardDeviation;
        _minimumSum = minimumErrorRate + minimumStandardDeviation;
        _warningLevel = minimumErrorRate + (_warningThreshold * minimumStandardDeviation);
        _driftLevel = minimumErrorRate + (_driftThreshold * minimumStandardDeviation);
        _state = state;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotAnErrorIndicator(double value) =>
        throw new ArgumentOutOfRangeException(
            nameof(value),
            value,
            "DDM takes error indicators: the value must be exactly 0 (correct prediction) or 1 (error).");
}
