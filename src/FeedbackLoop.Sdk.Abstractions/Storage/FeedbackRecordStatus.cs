namespace FeedbackLoop.Storage;

/// <summary>What happened to a feedback event.</summary>
public enum FeedbackRecordStatus
{
    /// <summary>Joined to its prediction.</summary>
    Joined,

    /// <summary>Its prediction is unknown (not yet arrived, or evicted): it waits as an orphan until the TTL expires.</summary>
    Orphaned,

    /// <summary>Its id was already applied; ignored (idempotent re-delivery).</summary>
    Duplicate,
}
