using System.Diagnostics;
using System.Diagnostics.Metrics;
using FeedbackLoop.Drift;
using FeedbackLoop.Notifications;
using FeedbackLoop.Storage;
using static FeedbackLoop.Telemetry.FeedbackLoopTelemetry;

namespace FeedbackLoop.Telemetry;

/// <summary>The instruments of one loop, every measurement tagged with the loop's name. Recording allocates nothing.</summary>
internal sealed class LoopInstruments : ILoopObserver, IDisposable
{
    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(LoopInstruments).Assembly.GetName().Version?.ToString());

    private static readonly string[] KindNames = Enum.GetNames<FeedbackKind>();
    private static readonly string[] StatusNames = Enum.GetNames<EventOutcome>();
    private static readonly string[] StateNames = Enum.GetNames<DriftState>();

    private readonly Meter? _ownedMeter;
    private readonly KeyValuePair<string, object?> _loop;
    private readonly Counter<long> _predictions;
    private readonly Counter<long> _feedback;
    private readonly Counter<long> _orphansExpired;
    private readonly Counter<long> _driftSignals;
    private readonly Counter<long> _retrains;
    private readonly Counter<long> _promotions;
    private readonly Counter<long> _gateRejections;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _cycleDuration;

    public LoopInstruments(string loopName, IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(new MeterOptions(SourceName)) ?? (_ownedMeter = new Meter(SourceName));
        _loop = new(LoopTag, loopName);
        _predictions = meter.CreateCounter<long>(PredictionsRecorded, "{prediction}", "Predictions recorded.");
        _feedback = meter.CreateCounter<long>(FeedbackReceived, "{feedback}", "Feedback events applied by the event store, by kind and outcome (joined, orphaned, duplicate, rejected).");
        _orphansExpired = meter.CreateCounter<long>(OrphansExpired, "{feedback}", "Orphaned feedback expired after its TTL.");
        _driftSignals = meter.CreateCounter<long>(DriftSignals, "{signal}", "Drift detector transitions to Warning or Drift.");
        _retrains = meter.CreateCounter<long>(Retrains, "{retrain}", "Candidates trained.");
        _promotions = meter.CreateCounter<long>(Promotions, "{promotion}", "Models made champion.");
        _gateRejections = meter.CreateCounter<long>(GateRejections, "{rejection}", "Candidates refused by the promotion gate.");
        _failures = meter.CreateCounter<long>(Failures, "{failure}", "Contained plug-in failures and failed cycles.");
        _cycleDuration = meter.CreateHistogram<double>(CycleDuration, "s", "Duration of RunCycleAsync.");
    }

    public void PredictionRecorded() => _predictions.Add(1, _loop);

    public void FeedbackApplied(FeedbackKind kind, EventOutcome status) =>
        _feedback.Add(1, _loop, new(FeedbackKindTag, KindNames[(int)kind]), new(StatusTag, StatusNames[(int)status]));

    public void OrphansExpiredBy(int count) => _orphansExpired.Add(count, _loop);

    /// <summary>Counts the loop's notifications: telemetry is one of their subscribers.</summary>
    public void OnNotification(LoopNotification notification)
    {
        switch (notification)
        {
            case DriftSignalled { Signal: var signal }:
                _driftSignals.Add(1, _loop, new(MonitorTag, signal.Monitor), new(StateTag, StateNames[(int)signal.State]));
                break;
            case ModelTrained:
                _retrains.Add(1, _loop);
                break;
            case CandidateGated { Gate.Passed: false }:
                _gateRejections.Add(1, _loop);
                break;
            case ModelPromoted or ModelRolledBack:
                _promotions.Add(1, _loop);
                break;
        }
    }

    public void Failed(string component) => _failures.Add(1, _loop, new(ComponentTag, component));

    public void CycleCompleted(TimeSpan duration) => _cycleDuration.Record(duration.TotalSeconds, _loop);

    public void Dispose() => _ownedMeter?.Dispose();
}
