using FeedbackLoop.Drift;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop;

/// <summary>The SDK's log messages (source-generated, allocation-free when the level is off).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "The {Component} {Name} threw; the loop contained the failure and went on")]
    public static partial void PluginFailed(ILogger logger, Exception exception, string component, string name);

    /// <summary>Drift at Information; warnings, which some detectors raise and clear often, at Debug.</summary>
    [LoggerMessage(EventId = 3, Message = "Drift monitor {Monitor} raised {State} at observation {Observation}")]
    public static partial void DriftSignal(ILogger logger, LogLevel level, string monitor, DriftState state, long observation);

    /// <summary>Information when the cycle did something, Debug for a cycle that had nothing to do (a loop cycling every few seconds would otherwise fill the log).</summary>
    [LoggerMessage(EventId = 4, Message = "Feedback loop {Loop}: {Report}")]
    public static partial void CycleCompleted(ILogger logger, LogLevel level, string loop, CycleReport report);

    [LoggerMessage(6, LogLevel.Warning, "Feedback loop {Loop}: appending {Count} events failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void AppendFailed(ILogger logger, Exception exception, string loop, int count, int attempt, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Error, "Feedback loop {Loop} shut down with {Count} events not applied: the consumer did not finish within {Timeout}")]
    public static partial void EventsAbandoned(ILogger logger, string loop, long count, TimeSpan timeout);

    [LoggerMessage(8, LogLevel.Warning, "Feedback loop {Loop}: prediction {Id} was recorded again; the first one stays and this one is ignored")]
    public static partial void DuplicatePrediction(ILogger logger, string loop, PredictionId id);

    [LoggerMessage(9, LogLevel.Warning, "Feedback loop {Loop}: its saved state (revision {Revision}) could not be restored; it starts afresh")]
    public static partial void StateNotRestored(ILogger logger, string loop, long revision);

    [LoggerMessage(5, LogLevel.Error, "Feedback loop {Loop} cycle {Cycle} failed in {Stage}; the champion stays live")]
    public static partial void CycleFailed(ILogger logger, Exception exception, string loop, long cycle, string stage);
}
