using FeedbackLoop.Drift;
using FeedbackLoop.Pipeline;
using FeedbackLoop.State;
using FeedbackLoop.Storage;
using FeedbackLoop.Telemetry;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop.Monitoring;

/// <summary>
/// The monitors of one loop: a detector per monitored numeric feature, a detector on the champion's error
/// stream, the rolling metrics, and the drift signals raised since the last training.
/// </summary>
/// <remarks>
/// The loop's consumer feeds it one batch at a time; cycles read it and promotions reset it, so every access runs under
/// one lock, taken once per batch. A detector that throws, or returns an undefined state, is contained: the failure is
/// logged and counted, and the value is skipped.
/// </remarks>
internal sealed class LoopMonitors
{
    internal const string ErrorMonitorName = "errors";

    /// <summary>Signals kept between trainings; beyond it the oldest is dropped, so a flickering warning cannot grow memory.</summary>
    internal const int SignalCapacity = 256;

    private readonly Lock _sync = new();
    private readonly StreamMonitor[] _features;
    private readonly StreamMonitor _errors;
    private readonly RollingOutcomes _outcomes;
    private readonly List<DriftSignal> _signals = [];
    private readonly LoopInstruments _instruments;
    private readonly FailureContainment _failures;
    private readonly ILogger _logger;
    private long _labels;

    public LoopMonitors(
        IReadOnlyList<(FeatureDefinition Feature, Func<IDriftDetector> Factory)> features,
        Func<IDriftDetector> errors,
        int rollingWindow,
        LoopInstruments instruments,
        FailureContainment failures,
        ILogger logger)
    {
        _features = [.. features.Select(f => new StreamMonitor("feature:" + f.Feature.Name, f.Feature.Ordinal, f.Factory))];
        _errors = new StreamMonitor(ErrorMonitorName, -1, errors);
        _outcomes = new RollingOutcomes(rollingWindow);
        _instruments = instruments;
        _failures = failures;
        _logger = logger;
    }

    /// <summary>
    /// Observes an applied batch: each stored prediction's monitored features, and each joined label — counted, and when
    /// its prediction was served by <paramref name="liveVersion"/> fed to the error monitor and the rolling metrics.
    /// </summary>
    public void Observe(EventBatch batch, string? liveVersion)
    {
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

                // The error stream describes the live champion: labels that arrive late for an earlier model's
                // predictions say nothing about the current one and would raise false drift after a promotion.
                if (liveVersion is null || string.Equals(join.Prediction.ModelVersion, liveVersion, StringComparison.Ordinal))
                {
                    var output = join.Prediction.Output;
                    var actual = join.Feedback.Value;
                    _outcomes.Add(actual, output);
                    Observe(_errors, output.Label == actual ? 0.0 : 1.0, join.Prediction.Timestamp);
                }
            }
        }
    }

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

    /// <summary>Forgets the labels a training has consumed (those joined since stay counted).</summary>
    public void ConsumeLabels(long count)
    {
        lock (_sync)
        {
            _labels -= count;
        }
    }

    /// <summary>Reads the rolling metrics once the rolling window is full (see <see cref="RollingOutcomes.Metrics"/>).</summary>
    public IReadOnlyDictionary<string, double> Metrics()
    {
        lock (_sync)
        {
            return _outcomes.Metrics();
        }
    }

    public IReadOnlyList<DriftSignal> Signals()
    {
        lock (_sync)
        {
            return [.. _signals];
        }
    }

    /// <summary>Forgets the signals a training has consumed (those raised later stay).</summary>
    public void ConsumeSignals(IReadOnlyList<DriftSignal> consumed)
    {
        var set = new HashSet<DriftSignal>(consumed, ReferenceEqualityComparer.Instance);
        lock (_sync)
        {
            _signals.RemoveAll(set.Contains);
        }
    }

    /// <summary>Starts the error stream and the rolling metrics afresh for a new champion.</summary>
    /// <remarks>A detector whose <see cref="IDriftDetector.Reset"/> throws is replaced by a new one from its factory; the failure is contained.</remarks>
    public void ResetOutcomes()
    {
        lock (_sync)
        {
            if (!_failures.TryInvoke("detector", _errors.Name, _errors, static monitor => monitor.Detector.Reset()))
            {
                _failures.TryInvoke("detector", _errors.Name, _errors, static monitor => monitor.Detector = monitor.Create());
            }

            _errors.Count = 0;
            _errors.LastState = DriftState.None;
            _outcomes.Clear();
        }
    }

    /// <summary>
    /// Writes the monitors' state: labels since training, the signals, and per monitor its count, last state and the
    /// detector's snapshot when the detector is restorable (<see cref="IRestorableDriftDetector"/>).
    /// </summary>
    public void WriteTo(SnapshotWriter writer)
    {
        lock (_sync)
        {
            writer.Write(_labels).Write(_signals.Count);
            foreach (var signal in _signals)
            {
                writer.Write(signal.Monitor).Write((int)signal.State).Write(signal.DetectedAt.UtcTicks).Write(signal.Observation);
            }

            writer.Write(_features.Length + 1);
            foreach (var monitor in _features.Append(_errors))
            {
                writer.Write(monitor.Name).Write(monitor.Count).Write((int)monitor.LastState);
                var snapshot = monitor.Detector is IRestorableDriftDetector restorable ? restorable.Snapshot().ToBytes() : [];
                writer.Write(snapshot);
            }

            _outcomes.WriteTo(writer);
        }
    }

    /// <summary>
    /// Reads what <see cref="WriteTo"/> wrote. Monitors are matched by name; a monitor the loop no longer has is skipped,
    /// and a detector whose snapshot it cannot take (not restorable, other parameters) starts afresh — both logged as
    /// contained failures, so the next cycle reports them.
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
                signals.Add(new DriftSignal(reader.ReadString(1_024), ReadState(ref reader), new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero), reader.ReadInt64()));
            }

            var monitorCount = reader.ReadInt32();
            var restored = new List<(StreamMonitor Monitor, long Count, DriftState State, byte[] Snapshot)>();
            for (var i = 0; i < monitorCount; i++)
            {
                var name = reader.ReadString(1_024);
                var count = reader.ReadInt64();
                var state = ReadState(ref reader);
                var snapshot = reader.ReadBytes(int.MaxValue);
                var monitor = Array.Find(_features, m => m.Name == name) ?? (name == _errors.Name ? _errors : null);
                if (monitor is not null)
                {
                    restored.Add((monitor, count, state, snapshot));
                }
            }

            var outcomes = new RollingOutcomes(_outcomes.Capacity);
            outcomes.ReadFrom(ref reader);
            reader.End();

            _labels = labels;
            _signals.Clear();
            _signals.AddRange(signals);
            _outcomes.CopyFrom(outcomes);
            foreach (var (monitor, count, state, snapshot) in restored)
            {
                if (monitor.Detector is IRestorableDriftDetector restorable && snapshot.Length > 0
                    && _failures.TryInvoke("detector", monitor.Name, (restorable, snapshot), static s => s.restorable.Restore(StateSnapshot.FromBytes(s.snapshot))))
                {
                    monitor.Count = count;
                    monitor.LastState = state;
                }
                else if (snapshot.Length == 0 || monitor.Detector is not IRestorableDriftDetector)
                {
                    _failures.Contain("detector", monitor.Name, new InvalidOperationException("The detector's state was not saved or cannot be restored (it is not an IRestorableDriftDetector); it starts afresh."));
                }
            }
        }
    }

    private static DriftState ReadState(ref SnapshotReader reader)
    {
        var state = (DriftState)reader.ReadInt32();
        return Enum.IsDefined(state) ? state : throw reader.Corrupt($"the drift state {(int)state} is not defined");
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
            if (_signals.Count == SignalCapacity)
            {
                _signals.RemoveAt(0);
            }

            _signals.Add(new DriftSignal(monitor.Name, state, at, monitor.Count));
            _instruments.DriftSignal(monitor.Name, state);
            Log.DriftSignal(_logger, state == DriftState.Drift ? LogLevel.Information : LogLevel.Debug, monitor.Name, state, monitor.Count);
        }

        monitor.LastState = state;
    }

    private sealed class StreamMonitor(string name, int ordinal, Func<IDriftDetector> create)
    {
        public string Name { get; } = name;

        public int Ordinal { get; } = ordinal;

        public Func<IDriftDetector> Create { get; } = create;

        public IDriftDetector Detector { get; set; } = create();

        public long Count { get; set; }

        public DriftState LastState { get; set; }
    }
}
