namespace FeedbackLoop.Storage;

/// <summary>Counters of a loop: its event queue and its event store.</summary>
/// <param name="EventsRecorded">Events accepted by the record calls since the loop started.</param>
/// <param name="EventsApplied">Events the consumer has applied (stored or refused by the store, and passed to the sinks).</param>
/// <param name="EventsQueued">Events waiting in the queue now.</param>
/// <param name="StoreFailures">Failed attempts to append a batch since the loop started (each retried until it succeeded).</param>
/// <param name="Store">The event store's counters.</param>
public sealed record LoopStatistics(long EventsRecorded, long EventsApplied, long EventsQueued, long StoreFailures, EventStoreStatistics Store);
