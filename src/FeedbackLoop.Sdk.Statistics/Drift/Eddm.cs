using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// The Early Drift Detection Method (EDDM) of Baena-García, del Campo-Ávila, Fidalgo, Bifet, Gavaldà and
/// Morales-Bueno (2006), "Early Drift Detection Method", 4th International Workshop on Knowledge Discovery from Data
/// Streams: it watches the distance between consecutive errors of a classifier and signals when it shrinks
/// significantly below the largest seen.
/// </summary>
/// <remarks>
/// <para>
/// Input is the error indicator of each prediction (<c>1</c> wrong, <c>0</c> right). At each error the detector adds
/// the number of values since the previous error to a running mean <c>p'</c> and sample standard deviation <c>s'</c>
/// (Welford's update, <c>n - 1</c> in the denominator, as River's <c>stats.Var</c>). Once more than
/// <see cref="MinimumErrors"/> values have been seen it keeps the largest <c>p' + 2 s'</c>; when an error does not
/// raise that maximum and more than <see cref="MinimumErrors"/> errors have been seen, the level
/// <c>(p' + 2 s') / max</c> below <see cref="DriftThreshold"/> (β) is a drift and below <see cref="WarningThreshold"/>
/// (α) a warning; at or above α the warning is cleared. Correct predictions only advance the position, so a warning
/// persists until the next error that is judged. This is the decision order of River's <c>drift.binary.EDDM</c>.
/// </para>
/// <para>
/// After a drift the detector restarts, as River does: the next <see cref="Update"/> first clears all state.
/// Instances are not thread-safe. <see cref="Update"/> does not allocate.
/// </para>
/// </remarks>
public sealed class Eddm : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    private readonly long _minimumErrors;
    private readonly double _alpha;
    private readonly double _beta;

    private long _count;
    private long _lastError;
    private long _errors;
    private double _distanceMean;
    private double _distanceSquares;
    private double _maximum;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="Eddm"/> class.</summary>
    /// <param name="minimumErrors">The warm-up: values and errors that must be seen before the detector judges. Defaults to 30 (the paper, River's <c>warm_start</c>).</param>
    /// <param name="warningThreshold">α, the level below which a warning is raised. Defaults to 0.95 (the paper, River).</param>
    /// <param name="driftThreshold">β, the level below which a drift is raised. Defaults to 0.9 (the paper, River).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="minimumErrors"/> is less than 1, a threshold is not in (0, 1), or <paramref name="driftThreshold"/>
    /// is above <paramref name="warningThreshold"/>.
    /// </exception>
    public Eddm(int minimumErrors = 30, double warningThreshold = 0.95, double driftThreshold = 0.9)
    {
        _minimumErrors = DetectorArguments.AtLeast(minimumErrors, 1, nameof(minimumErrors), "The minimum number of errors");
        _alpha = DetectorArguments.OpenUnit(warningThreshold, nameof(warningThreshold), "The warning threshold");
        _beta = DetectorArguments.OpenUnit(driftThreshold, nameof(driftThreshold), "The drift threshold");
        if (_beta > _alpha)
        {
            throw new ArgumentOutOfRangeException(nameof(driftThreshold), driftThreshold, $"The drift threshold must not exceed the warning threshold ({warningThreshold}).");
        }

        Reset();
    }

    /// <summary>Gets the warm-up in values and errors.</summary>
    /// <value>30 by default.</value>
    public int MinimumErrors => (int)_minimumErrors;

    /// <summary>Gets α, the level below which a warning is raised.</summary>
    /// <value>0.95 by default.</value>
    public double WarningThreshold => _alpha;

    /// <summary>Gets β, the level below which a drift is raised.</summary>
    /// <value>0.9 by default.</value>
    public double DriftThreshold => _beta;

    /// <inheritdoc />
    public DriftState State => _state;

    /// <summary>Gets the number of values in the current statistic.</summary>
    public long Count => _count;

    /// <summary>Gets the number of errors in the current statistic.</summary>
    public long Errors => _errors;

    /// <summary>Gets the mean distance between consecutive errors, <c>p'</c>.</summary>
    public double MeanDistance => _distanceMean;

    /// <summary>Gets the sample standard deviation of the distances, <c>s'</c>.</summary>
    /// <value>0 until two distances have been seen.</value>
    public double DistanceStandardDeviation => _errors > 1 ? Math.Sqrt(_distanceSquares / (_errors - 1)) : 0;

    /// <summary>Adds one error indicator.</summary>
    /// <param name="value"><c>1</c> when the prediction was wrong, <c>0</c> when it was right.</param>
    /// <returns>The state after this value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not exactly 0 or 1 (NaN included); the state is kept.</exception>
    public DriftState Update(double value)
    {
        if (value != 0.0 && value != 1.0)
        {
            DetectorArguments.ThrowNotAnErrorIndicator("EDDM", value);
        }

        if (_state == DriftState.Drift)
        {
            Reset();
        }

        long count = ++_count;
        if (value == 0.0)
        {
            return _state;
        }

        long errors = ++_errors;
        double distance = count - _lastError;
        double delta = distance - _distanceMean;
        _distanceMean += delta / errors;
        _distanceSquares += delta * (distance - _distanceMean);
        _lastError = count;
        if (count <= _minimumErrors)
        {
            return _state;
        }

        double level = _distanceMean + (2 * DistanceStandardDeviation);
        if (level > _maximum)
        {
            _maximum = level;
        }
        else if (errors > _minimumErrors)
        {
            double ratio = level / _maximum;
            _state = ratio < _beta ? DriftState.Drift : ratio < _alpha ? DriftState.Warning : DriftState.None;
        }

        return _state;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _count = 0;
        _lastError = 0;
        _errors = 0;
        _distanceMean = 0;
        _distanceSquares = 0;
        _maximum = -1;
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot() =>
        new SnapshotWriter(nameof(Eddm), SnapshotVersion)
            .Write(_minimumErrors).Write(_alpha).Write(_beta)
            .Write(_count).Write(_lastError).Write(_errors).Write(_distanceMean).Write(_distanceSquares).Write(_maximum).Write((int)_state)
            .ToSnapshot();

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(Eddm), SnapshotVersion);
        reader.ExpectParameter(nameof(MinimumErrors), _minimumErrors);
        reader.ExpectParameter(nameof(WarningThreshold), _alpha);
        reader.ExpectParameter(nameof(DriftThreshold), _beta);
        long count = reader.ReadInt64();
        long lastError = reader.ReadInt64();
        long errors = reader.ReadInt64();
        double mean = reader.ReadDouble();
        double squares = reader.ReadDouble();
        double maximum = reader.ReadDouble();
        var state = (DriftState)reader.ReadInt32();
        reader.End();
        if (count < 0 || errors < 0 || errors > count || lastError < 0 || lastError > count || !Enum.IsDefined(state))
        {
            throw reader.Corrupt("the counters or state are out of range");
        }

        _count = count;
        _lastError = lastError;
        _errors = errors;
        _distanceMean = mean;
        _distanceSquares = squares;
        _maximum = maximum;
        _state = state;
    }
}
