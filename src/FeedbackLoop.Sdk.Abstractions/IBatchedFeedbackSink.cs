using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>
/// Receives the recorded events in batches, after the event store applied them, with each event's outcome and the
/// labels joined: the shape of Serilog's <c>IBatchedLogEventSink</c> and OpenTelemetry's exporters, for sinks that
/// write to a network or a database.
/// </summary>
/// <remarks>
/// Called on the loop's own consumer, one call at a time per loop, batches in arrival order. The batch is reused
/// after the call returns: keep its events (they are immutable), not the batch. A failure is contained like an
/// <see cref="IFeedbackSink"/>'s: logged, counted, reported by the next cycle; the batch is not offered again.
/// </remarks>
public interface IBatchedFeedbackSink
{
    /// <summary>Receives one batch.</summary>
    /// <param name="batch">The events, their outcomes (<see cref="EventBatch.GetOutcome"/>) and the labels joined.</param>
    /// <param name="cancellationToken">Cancelled when the loop shuts down.</param>
    /// <returns>A task that completes when the sink is done with the batch.</returns>
    ValueTask EmitBatchAsync(EventBatch batch, CancellationToken cancellationToken);
}
