using FeedbackLoop.Drift;
using FeedbackLoop.Telemetry;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop.Monitoring;

/// <summary>
/// The monitors of one loop: a detector per monitored numeric feature, a detector on the champion's error
/// stream, the rolling metrics, and the drift signals raised since the last training.
/// </summary>
/// <remarks>
/// Detectors are not thread-safe, so every update runs under one short lock. A detector that throws is
/// contained: the failure is logged and counted, and the value is skipped.
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
    private readonly ILogger _logger;
    private long _failures;
    private long _labels;

    public LoopMonitors(
        IReadOnlyList<(FeatureDefinition Feature, Func<IDriftDetector> Factory)> features,
        Func<IDriftDetector> errors,
        int rollingWindow,
        LoopInstruments instruments,
        ILogger logger)
    {
        _features = [.. features.Select(f => new StreamMonitor("feature:" + f.Feature.Name, f.Feature.Ordinal, f.Factory()))];
        _errors = new StreamMonitor(ErrorMonitorName, -1, errors());
        _outcomes = new RollingOutcomes(rollingWindow);
        _instruments = instruments;
        _logger = logger;
    }

    /// <summary>Gets the number of contained detector failures since the last call to <see cref="TakeFailures"/>.</summary>
    public long TakeFailures() => Interlocked.Exchange(ref _failures, 0);

    public void ObserveFeatures(Prediction prediction)
    {
        if (_features.Length == 0)
        {
            return;
        }

        var numeric = prediction.Features.Numeric;
        lock (_sync)
        {
            foreach (var monitor in _features)
            {
                var value = numeric[monitor.Ordinal];
                if (!double.IsNaN(value))
                {
                    Observe(monitor, value, prediction.Timestamp);
                }
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

    /// <summary>Counts a joined label and, when it is for the live champion's prediction, feeds its outcome to the error monitor and the rolling metrics.</summary>
    public void ObserveLabel(bool forChampion, Label actual, PredictionOutput output, DateTimeOffset predictedAt)
    {
        lock (_sync)
        {
            _labels++;
            if (forChampion)
            {
                _outcomes.Add(actual, output);
                Observe(_errors, output.Label == actual ? 0.0 : 1.0, predictedAt);
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
    public void ResetOutcomes()
    {
        lock (_sync)
        {
            _errors.Reset();
            _outcomes.Clear();
        }
    }

    private void Observe(StreamMonitor monitor, double value, DateTimeOffset at)
    {
        DriftState state;
        try
        {
            state = monitor.Detector.Update(value);
        }
#pragma warning disable CA1031 // A host's detector may throw anything; the request path must not see it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failures);
            _instruments.Failed("detector");
            Log.DetectorFailed(_logger, exception, monitor.Name);
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

    private sealed class StreamMonitor(string name, int ordinal, IDriftDetector detector)
    {
        public string Name { get; } = name;

        public int Ordinal { get; } = ordinal;

        public IDriftDetector Detector { get; } = detector;

        public long Count { get; set; }

        public DriftState LastState { get; set; }

        public void Reset()
        {
            Detector.Reset();
            Count = 0;
            LastState = DriftState.None;
        }
    }
}
