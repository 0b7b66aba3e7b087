using FeedbackLoop.Drift;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop;

/// <summary>The SDK's log messages (source-generated, allocation-free when the level is off).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Feedback sink {Sink} threw; the event was recorded and the sink skipped")]
    public static partial void SinkFailed(ILogger logger, Exception exception, string sink);

    [LoggerMessage(2, LogLevel.Warning, "Drift detector on {Monitor} threw; the value was skipped")]
    public static partial void DetectorFailed(ILogger logger, Exception exception, string monitor);

    /// <summary>Drift at Information; warnings, which some detectors raise and clear often, at Debug.</summary>
    [LoggerMessage(EventId = 3, Message = "Drift monitor {Monitor} raised {State} at observation {Observation}")]
    public static partial void DriftSignal(ILogger logger, LogLevel level, string monitor, DriftState state, long observation);

    [LoggerMessage(4, LogLevel.Information, "Feedback loop {Loop} cycle {Cycle}: {Report}")]
    public static partial void CycleCompleted(ILogger logger, string loop, long cycle, CycleReport report);

    [LoggerMessage(5, LogLevel.Error, "Feedback loop {Loop} cycle {Cycle} failed in {Stage}; the champion stays live")]
    public static partial void CycleFailed(ILogger logger, Exception exception, string loop, long cycle, string stage);
}
