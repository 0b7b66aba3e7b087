namespace FeedbackLoop.Storage;

/// <summary>What a store did with one event of an <see cref="EventBatch"/>.</summary>
public enum EventOutcome
{
    /// <summary>Not applied yet.</summary>
    Pending,

    /// <summary>A prediction was stored (and any orphans waiting for it were joined).</summary>
    Stored,

    /// <summary>Feedback was joined to its prediction.</summary>
    Joined,

    /// <summary>Feedback's prediction is unknown (not yet arrived, or no longer kept): it waits as an orphan until its TTL expires.</summary>
    Orphaned,

    /// <summary>The event's id was already applied: ignored (idempotent re-delivery).</summary>
    Duplicate,

    /// <summary>The store refused the event for a reason it states (<see cref="EventBatch.GetReason"/>), for example a limit.</summary>
    Rejected,
}
