using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Pipeline;
using FeedbackLoop.Rollout;
using FeedbackLoop.State;
using FeedbackLoop.Storage;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop.Monitoring;

/// <summary>
/// The monitors of one loop: a detector per monitored numeric feature; per serving model version, a detector on that
/// version's error stream (<see cref="RollingOutcomes.Error"/>: misclassification for classifiers, absolute error for
/// regression) and its rolling outcomes; and the drift signals raised since the last training.
/// </summary>
/// <remarks>
/// <para>
/// A label feeds the monitors of the version that served its prediction (<see cref="Prediction.ModelVersion"/>), so a
/// challenger under A/B is judged on its own traffic and a label that arrives late for a version no longer served feeds
/// nothing (it would raise false drift against the new champion). Before the loop has a champion (a host recording its
/// own model's predictions), every label feeds one host monitor.
/// </para>
/// <para>
/// The loop's consumer feeds it one batch at a time; cycles read it and promotions change the served versions, so every
/// access runs under one lock, taken once per batch. A detector that throws, or returns an undefined state, is
/// contained: the failure is logged and counted, and the value is skipped.
/// </para>
/// <para>
/// A drift should not wait for the host's next scheduled cycle: once the first drift signalled since the last
/// announcement has as many labels after it as a retrain needs, or a rejected drift's retry comes due, the monitors
/// announce that a cycle is due (the loop's <see cref="IFeedbackLoop.WhenCycleDueAsync"/>), once per drift.
/// </para>
/// </remarks>
internal sealed class LoopMonitors
{
    internal const string ErrorMonitorName = "errors";

    /// <summary>Signals kept between trainings; beyond it the oldest is dropped, so a flickering warning cannot grow memory.</summary>
    internal const int SignalCapacity = 256;

    private const string HostVersion = "";

    private readonly Lock _sync = new();
    private readonly StreamMonitor[] _features;
    private readonly ModelTask _task;
    private readonly Func<IDriftDetector> _errorDetector;
    private readonly int _rollingWindow;
    private readonly Dictionary<string, VersionMonitor> _versions = new(StringComparer.Ordinal);
    private readonly List<DriftSignal> _signals = [];
    private readonly Action<DriftSignal> _signalled;
    private readonly long _dueAfterLabels; // labels after a drift's own before its retrain would not be deferred
    private readonly Action _cycleDue;
    private readonly FailureContainment _failures;
    private readonly List<DriftSignal> _raised = [];
    private readonly ILogger _logger;
    private string _champion = HostVersion;
    private long _labels;

    // Labels joined since this instance started (not saved), and how many there must be when a cycle becomes due.
    private long _joined;
    private long _dueAt = long.MaxValue;

    // Drift signals whose candidate was rejected, each back among the signals once this many more labels have joined.
    private readonly List<(DriftSignal Signal, long LabelsLeft)> _retries = [];

    public LoopMonitors(
        ModelTask task,
        IReadOnlyList<(FeatureDefinition Feature, Func<IDriftDetector> Factory)> features,
        Func<IDriftDetector> errors,
        int rollingWindow,
        long dueAfterLabels,
        Action<DriftSignal> signalled,
        Action cycleDue,
        FailureContainment failures,
        ILogger logger)
    {
        _features = [.. features.Select(f => new StreamMonitor("feature:" + f.Feature.Name, null, f.Feature.Ordinal, f.Factory))];
        _task = task;
        _errorDetector = errors;
        _rollingWindow = rollingWindow;
        _signalled = signalled;
        // The label that raised the drift is the first of the window since it.
        _dueAfterLabels = Math.Max(0, dueAfterLabels - 1);
        _cycleDue = cycleDue;
        _failures = failures;
        _logger = logger;
        _versions.Add(HostVersion, NewVersionMonitor(HostVersion));
    }

    /// <summary>Gets whether any feature is monitored (the monitors then read stored predictions, not only joins).</summary>
    public bool MonitorsFeatures => _features.Length > 0;

    /// <summary>Gets the labels joined since the last training.</summary>
    public long LabelsSinceTraining
    {
        get
        {
            lock (_sync)
            {
                return _labels;
            }
        }
    }

    /// <summary>
    /// Observes an applied batch: each stored prediction's monitored features, and each joined label — counted, and fed
    /// to the error monitor and rolling outcomes of the version that served its prediction.
    /// </summary>
    /// <remarks>The signals raised are handed to the loop's notification callback after the lock is released.</remarks>
    public void Observe(EventBatch batch)
    {
        DriftSignal[] raised;
        bool due;
        lock (_sync)
        {
            if (_features.Length > 0)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch[i].Prediction is { } prediction && batch.GetOutcome(i) == EventOutcome.Stored)
                    {
                        ObserveFeatures(prediction);
                    }
                }
            }

            foreach (var join in batch.Joins)
            {
                _labels++;
                _joined++;
                CountDownRetries();
                var served = _champion.Length == 0 ? HostVersion : join.Prediction.ModelVersion;
                if (_versions.TryGetValue(served, out var monitor))
                {
                    var output = join.Prediction.Output;
                    var actual = join.Feedback.Value;
                    monitor.Outcomes.Add(actual, output);
                    Observe(monitor.Errors, RollingOutcomes.Error(_task, actual, output), join.Prediction.Timestamp);
                }
            }

            due = _joined >= _dueAt;
            if (due)
            {
                _dueAt = long.MaxValue;
            }

            raised = _raised.Count == 0 ? [] : [.. _raised];
            _raised.Clear();
        }

        foreach (var signal in raised)
        {
            _signalled(signal);
        }

        if (due)
        {
            _cycleDue();
        }
    }

    /// <summary>
    /// Follows a change of the served models: a version that starts serving gets fresh monitors (a detector from the
    /// factory; a factory that throws is contained and the version goes unmonitored), a version no longer served loses
    /// its monitors, and the champion's become the ones the cycle reports.
    /// </summary>
    /// <param name="serving">The models now served.</param>
    /// <param name="carryErrorBaseline">
    /// Whether a new champion's error detector starts from a snapshot of the previous champion's (both
    /// <see cref="IRestorableDriftDetector"/>; otherwise, or when the restore fails, it starts afresh, contained).
    /// </param>
    public void Serve(ServingSet serving, bool carryErrorBaseline = false)
    {
        lock (_sync)
        {
            var previous = _versions.GetValueOrDefault(_champion);
            var served = serving.Others.Select(m => m.VersionText).Prepend(serving.Champion?.VersionText ?? HostVersion).ToHashSet(StringComparer.Ordinal);
            foreach (var version in _versions.Keys.Where(v => !served.Contains(v)).ToList())
            {
                _versions.Remove(version);
            }

            foreach (var version in served.Where(v => !_versions.ContainsKey(v)))
            {
                _failures.TryInvoke("detector", ErrorMonitorName, (this, version), static s => s.Item1._versions.Add(s.version, s.Item1.NewVersionMonitor(s.version)));
            }

            var champion = serving.Champion?.VersionText ?? HostVersion;
            if (carryErrorBaseline && champion != _champion && previous?.Errors.Detector is IRestorableDriftDetector from
                && _versions.GetValueOrDefault(champion)?.Errors.Detector is IRestorableDriftDetector to)
            {
                _failures.TryInvoke("detector", ErrorMonitorName, (from, to), static d => d.to.Restore(d.from.Snapshot()));
            }

            _champion = champion;
        }
    }

    /// <summary>Forgets the labels a training has consumed (those joined since stay counted).</summary>
    public void ConsumeLabels(long count)
    {
        lock (_sync)
        {
            _labels -= count;
        }
    }

    /// <summary>Reads the champion's rolling metrics once its rolling window is full (see <see cref="RollingOutcomes.Metrics"/>).</summary>
    public IReadOnlyDictionary<string, double> Metrics()
    {
        lock (_sync)
        {
            return _versions.TryGetValue(_champion, out var champion) ? champion.Outcomes.Metrics() : new Dictionary<string, double>();
        }
    }

    public IReadOnlyList<DriftSignal> Signals()
    {
        lock (_sync)
        {
            return [.. _signals];
        }
    }

    /// <summary>
    /// Brings a drift signal whose candidate was rejected back among the signals once <paramref name="labels"/> more
    /// labels have joined, so the retrain it asks for is retried on a window since the drift that has grown by as much.
    /// </summary>
    public void RetryAfter(DriftSignal signal, long labels)
    {
        lock (_sync)
        {
            _retries.RemoveAll(r => r.Signal.Equals(signal));
            if (_retries.Count == SignalCapacity)
            {
                // Bounded like the signals (and as a saved state is read back): the oldest retry gives way.
                _retries.RemoveAt(0);
            }

            _retries.Add((signal, Math.Max(1, labels)));
        }
    }

    /// <summary>Forgets the signals a training has consumed (those raised later stay); with no drift left, no cycle is due for one.</summary>
    public void ConsumeSignals(IReadOnlyList<DriftSignal> consumed)
    {
        var set = new HashSet<DriftSignal>(consumed, ReferenceEqualityComparer.Instance);
        lock (_sync)
        {
            _signals.RemoveAll(set.Contains);
            // With no drift left, none waits for a cycle; a drift raised after the training's observation asks anew.
            _dueAt = !_signals.Exists(s => s.State == DriftState.Drift) ? long.MaxValue
                : _dueAt == long.MaxValue ? _joined + _dueAfterLabels : _dueAt;
        }
    }

    /// <summary>
    /// Writes the monitors' state: labels since training, the signals, per feature monitor and per served version its
    /// count, last state and the detector's snapshot when the detector is restorable (<see cref="IRestorableDriftDetector"/>),
    /// and per served version its rolling outcomes.
    /// </summary>
    public void WriteTo(SnapshotWriter writer)
    {
        lock (_sync)
        {
            writer.Write(_labels).Write(_signals.Count);
            foreach (var signal in _signals)
            {
                WriteSignal(writer, signal);
            }

            writer.Write(_retries.Count);
            foreach (var (signal, left) in _retries)
            {
                WriteSignal(writer, signal);
                writer.Write(left);
            }

            writer.Write(_features.Length);
            foreach (var monitor in _features)
            {
                WriteMonitor(writer, monitor);
            }

            writer.Write(_versions.Count);
            foreach (var (version, monitor) in _versions)
            {
                writer.Write(version);
                WriteMonitor(writer, monitor.Errors);
                monitor.Outcomes.WriteTo(writer);
            }
        }
    }

    /// <summary>
    /// Reads what <see cref="WriteTo"/> wrote. Feature monitors are matched by name and version monitors by version; one
    /// the loop no longer has is skipped, and a detector whose snapshot it cannot take (not restorable, other parameters)
    /// starts afresh — reported as a contained failure, so the next cycle counts it.
    /// </summary>
    public void ReadFrom(ref SnapshotReader reader)
    {
        lock (_sync)
        {
            var labels = reader.ReadInt64();
            var signalCount = reader.ReadInt32();
            if (labels < 0 || signalCount < 0 || signalCount > SignalCapacity)
            {
                throw reader.Corrupt("the label count or the number of signals is out of range");
            }

            var signals = new List<DriftSignal>(signalCount);
            for (var i = 0; i < signalCount; i++)
            {
                signals.Add(ReadSignal(ref reader));
            }

            var retryCount = reader.ReadInt32();
            if (retryCount is < 0 or > SignalCapacity)
            {
                throw reader.Corrupt("the number of drift retries is out of range");
            }

            var retries = new List<(DriftSignal, long)>(retryCount);
            for (var i = 0; i < retryCount; i++)
            {
                var signal = ReadSignal(ref reader);
                var left = reader.ReadInt64();
                retries.Add(left >= 1 ? (signal, left) : throw reader.Corrupt("a drift retry waits for no label"));
            }

            var restored = new List<(StreamMonitor Monitor, SavedMonitor Saved)>();
            var featureCount = ReadCount(ref reader);
            for (var i = 0; i < featureCount; i++)
            {
                var saved = ReadMonitor(ref reader);
                if (Array.Find(_features, m => m.Name == saved.Name) is { } monitor)
                {
                    restored.Add((monitor, saved));
                }
            }

            var outcomes = new List<(RollingOutcomes Target, RollingOutcomes Saved)>();
            var versionCount = ReadCount(ref reader);
            for (var i = 0; i < versionCount; i++)
            {
                var version = reader.ReadString(1_024);
                var saved = ReadMonitor(ref reader);
                var window = new RollingOutcomes(_task, _rollingWindow);
                window.ReadFrom(ref reader);
                if (_versions.TryGetValue(version, out var monitor))
                {
                    restored.Add((monitor.Errors, saved));
                    outcomes.Add((monitor.Outcomes, window));
                }
            }

            reader.End();

            _labels = labels;
            _signals.Clear();
            _signals.AddRange(signals);

            // A drift the last instance had not yet retrained for asks for a cycle with the first labels this one joins.
            _dueAt = signals.Any(s => s.State == DriftState.Drift) ? _joined + 1 : long.MaxValue;
            _retries.Clear();
            _retries.AddRange(retries);
            foreach (var (target, saved) in outcomes)
            {
                target.CopyFrom(saved);
            }

            foreach (var (monitor, saved) in restored)
            {
                Restore(monitor, saved);
            }
        }
    }

    /// <summary>Counts one joined label down on every retry; a retry that reaches zero rejoins the signals (no new notification: it is not a new drift).</summary>
    private void CountDownRetries()
    {
        for (var i = _retries.Count - 1; i >= 0; i--)
        {
            var (signal, left) = _retries[i];
            if (left > 1)
            {
                _retries[i] = (signal, left - 1);
                continue;
            }

            _retries.RemoveAt(i);
            AddSignal(signal);

            // The retry has waited for its labels already.
            _dueAt = _joined;
        }
    }

    private void AddSignal(DriftSignal signal)
    {
        if (_signals.Count == SignalCapacity)
        {
            _signals.RemoveAt(0);
        }

        _signals.Add(signal);
    }

    private static void WriteMonitor(SnapshotWriter writer, StreamMonitor monitor)
    {
        writer.Write(monitor.Name).Write(monitor.Count).Write((int)monitor.LastState);
        writer.Write(monitor.Detector is IRestorableDriftDetector restorable ? restorable.Snapshot().ToBytes() : []);
    }

    private static void WriteSignal(SnapshotWriter writer, DriftSignal signal) =>
        writer.Write(signal.Monitor).Write((int)signal.State).Write(signal.DetectedAt.UtcTicks).Write(signal.Observation)
            .Write(signal.ModelVersion is not null).Write(signal.ModelVersion ?? string.Empty);

    private static DriftSignal ReadSignal(ref SnapshotReader reader)
    {
        var name = reader.ReadString(1_024);
        var state = ReadState(ref reader);
        var at = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        var observation = reader.ReadInt64();
        var hasVersion = reader.ReadBoolean();
        var version = reader.ReadString(1_024);
        return new DriftSignal(name, state, at, observation, hasVersion ? version : null);
    }

    private static SavedMonitor ReadMonitor(ref SnapshotReader reader) =>
        new(reader.ReadString(1_024), reader.ReadInt64(), ReadState(ref reader), reader.ReadBytes(int.MaxValue));

    private static int ReadCount(ref SnapshotReader reader)
    {
        var count = reader.ReadInt32();
        return count is >= 0 and <= 1_000_000 ? count : throw reader.Corrupt($"a monitor count of {count} is out of range");
    }

    private static DriftState ReadState(ref SnapshotReader reader)
    {
        var state = (DriftState)reader.ReadInt32();
        return Enum.IsDefined(state) ? state : throw reader.Corrupt($"the drift state {(int)state} is not defined");
    }

    private void Restore(StreamMonitor monitor, SavedMonitor saved)
    {
        if (monitor.Detector is IRestorableDriftDetector restorable && saved.Snapshot.Length > 0)
        {
            if (_failures.TryInvoke("detector", monitor.Name, (restorable, saved.Snapshot), static s => s.restorable.Restore(StateSnapshot.FromBytes(s.Snapshot))))
            {
                monitor.Count = saved.Count;
                monitor.LastState = saved.State;
            }
        }
        else
        {
            _failures.Contain("detector", monitor.Name, new InvalidOperationException(
                "The detector's state was not saved or cannot be restored (it is not an IRestorableDriftDetector); it starts afresh."));
        }
    }

    private VersionMonitor NewVersionMonitor(string version) =>
        new(new StreamMonitor(ErrorMonitorName, version.Length == 0 ? null : version, -1, _errorDetector), new RollingOutcomes(_task, _rollingWindow));

    private void ObserveFeatures(Prediction prediction)
    {
        var numeric = prediction.Features.Numeric;
        foreach (var monitor in _features)
        {
            var value = numeric[monitor.Ordinal];
            if (!double.IsNaN(value))
            {
                Observe(monitor, value, prediction.Timestamp);
            }
        }
    }

    private void Observe(StreamMonitor monitor, double value, DateTimeOffset at)
    {
        DriftState state;
        try
        {
            state = monitor.Detector.Update(value);
        }
#pragma warning disable CA1031 // A host's detector may throw anything; the loop must keep going.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _failures.Contain("detector", monitor.Name, exception);
            return;
        }

        if (!Enum.IsDefined(state))
        {
            _failures.Contain("detector", monitor.Name, new InvalidOperationException($"The detector returned the undefined state {(int)state}."));
            return;
        }

        monitor.Count++;
        if (state != monitor.LastState && state != DriftState.None)
        {
            var signal = new DriftSignal(monitor.Name, state, at, monitor.Count, monitor.Version);
            AddSignal(signal);
            _raised.Add(signal);
            if (state == DriftState.Drift && _dueAt == long.MaxValue)
            {
                _dueAt = _joined + _dueAfterLabels;
            }

            Log.DriftSignal(_logger, state == DriftState.Drift ? LogLevel.Information : LogLevel.Debug, monitor.Name, state, monitor.Count);
        }

        monitor.LastState = state;
    }

    private sealed record SavedMonitor(string Name, long Count, DriftState State, byte[] Snapshot);

    private sealed record VersionMonitor(StreamMonitor Errors, RollingOutcomes Outcomes);

    private sealed class StreamMonitor(string name, string? version, int ordinal, Func<IDriftDetector> create)
    {
        public string Name { get; } = name;

        public string? Version { get; } = version;

        public int Ordinal { get; } = ordinal;

        public IDriftDetector Detector { get; } = create();

        public long Count { get; set; }

        public DriftState LastState { get; set; }
    }
}
