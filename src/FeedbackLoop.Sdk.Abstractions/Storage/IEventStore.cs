namespace FeedbackLoop.Storage;

/// <summary>
/// Appends the loop's events and joins feedback to predictions by <see cref="PredictionId"/>: the join authority.
/// Feedback that arrives before its prediction waits as an orphan until its prediction arrives or its TTL expires.
/// </summary>
/// <remarks>
/// <para>
/// The loop calls it from its own consumer, never from a request thread, with batches in arrival order; calls do not
/// overlap for one loop, but a store shared by several loops must be thread-safe. Appending is idempotent by event
/// id (<see cref="Prediction.Id"/>, <see cref="Feedback.Id"/>): an id already applied is reported
/// <see cref="EventOutcome.Duplicate"/> and changes nothing, also when a batch is appended again after a failure.
/// </para>
/// <para>
/// A store may be slow or fail: the loop retries a failed append with backoff (appending is idempotent), counts and
/// logs the failure, and reports it in the next cycle; events wait in the loop's bounded queue meanwhile. An append that
/// throws must have applied nothing of the batch (a durable store commits a batch in one transaction), so that the
/// retry reports first-time outcomes and joins and the monitors see every label once.
/// </para>
/// </remarks>
public interface IEventStore
{
    /// <summary>Applies a batch in order: stores predictions, joins feedback, and reports through the batch every event's outcome and every label joined.</summary>
    /// <param name="batch">The events; the store calls <see cref="EventBatch.SetOutcome"/> for each and <see cref="EventBatch.AddJoin"/> for each label joined.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the batch is applied.</returns>
    ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken);

    /// <summary>Drops orphans whose TTL has passed (and whatever else the store's retention says).</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many orphans expired in this call.</returns>
    ValueTask<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reads the store's counters.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A snapshot of the counters.</returns>
    ValueTask<EventStoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken);
}
