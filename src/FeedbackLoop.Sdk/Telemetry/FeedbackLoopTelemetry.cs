namespace FeedbackLoop.Telemetry;

/// <summary>
/// The public names of the SDK's telemetry: one <see cref="System.Diagnostics.Metrics.Meter"/> and one
/// <see cref="System.Diagnostics.ActivitySource"/>, both named <see cref="SourceName"/>; the instruments; and the tag keys.
/// Subscribe with OpenTelemetry's <c>AddMeter(FeedbackLoopTelemetry.SourceName)</c> and <c>AddSource(FeedbackLoopTelemetry.SourceName)</c>.
/// </summary>
public static class FeedbackLoopTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string SourceName = "FeedbackLoop.Sdk";

    /// <summary>Counter of recorded predictions; unit <c>{prediction}</c>.</summary>
    public const string PredictionsRecorded = "feedbackloop.predictions.recorded";

    /// <summary>Counter of feedback events the event store applied, by kind and outcome (joined, orphaned, duplicate, rejected); unit <c>{feedback}</c>; tags <see cref="FeedbackKindTag"/>, <see cref="StatusTag"/>.</summary>
    public const string FeedbackReceived = "feedbackloop.feedback.received";

    /// <summary>Counter of orphaned feedback expired after its TTL; unit <c>{feedback}</c>.</summary>
    public const string OrphansExpired = "feedbackloop.orphans.expired";

    /// <summary>Counter of drift signals (transitions to Warning or Drift); unit <c>{signal}</c>; tags <see cref="MonitorTag"/>, <see cref="StateTag"/>.</summary>
    public const string DriftSignals = "feedbackloop.drift.signals";

    /// <summary>Counter of candidates trained; unit <c>{retrain}</c>.</summary>
    public const string Retrains = "feedbackloop.retrains";

    /// <summary>Counter of promotions to champion (gated, manual and rollbacks); unit <c>{promotion}</c>.</summary>
    public const string Promotions = "feedbackloop.promotions";

    /// <summary>Counter of candidates the gate refused; unit <c>{rejection}</c>.</summary>
    public const string GateRejections = "feedbackloop.gate.rejections";

    /// <summary>Counter of contained plug-in failures (sinks, detectors) and failed cycles; unit <c>{failure}</c>; tag <see cref="ComponentTag"/>.</summary>
    public const string Failures = "feedbackloop.failures";

    /// <summary>Histogram of cycle durations; unit <c>s</c>.</summary>
    public const string CycleDuration = "feedbackloop.cycle.duration";

    /// <summary>The name of the activity around each cycle.</summary>
    public const string CycleActivity = "feedbackloop.cycle";

    /// <summary>Tag: the loop (model) name; on every instrument and on the cycle activity.</summary>
    public const string LoopTag = "feedbackloop.loop";

    /// <summary>Tag: the feedback kind (<c>GroundTruth</c>, <c>HumanCorrection</c>, <c>Rating</c>, <c>Flag</c>).</summary>
    public const string FeedbackKindTag = "feedbackloop.feedback.kind";

    /// <summary>Tag: what happened to a feedback event (<c>Joined</c>, <c>Orphaned</c>).</summary>
    public const string StatusTag = "feedbackloop.status";

    /// <summary>Tag: the monitored stream (<c>errors</c>, <c>feature:NAME</c>).</summary>
    public const string MonitorTag = "feedbackloop.monitor";

    /// <summary>Tag: the drift state (<c>Warning</c>, <c>Drift</c>).</summary>
    public const string StateTag = "feedbackloop.drift.state";

    /// <summary>Tag: the component that failed (<c>sink</c>, <c>detector</c>, <c>cycle</c>).</summary>
    public const string ComponentTag = "feedbackloop.component";

    /// <summary>Tag on the cycle activity: how the cycle ended (<see cref="CycleOutcome"/>).</summary>
    public const string OutcomeTag = "feedbackloop.cycle.outcome";
}
