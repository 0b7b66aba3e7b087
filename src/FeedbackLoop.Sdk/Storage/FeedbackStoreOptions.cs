namespace FeedbackLoop.Storage;

/// <summary>Capacities and retention of the in-memory feedback store.</summary>
public sealed class FeedbackStoreOptions
{
    /// <summary>Gets or sets how many predictions are kept (with the ids of their feedback, for de-duplication); the oldest is evicted beyond it.</summary>
    /// <value>Default 100,000.</value>
    public int PredictionCapacity { get; set; } = 100_000;

    /// <summary>Gets or sets how many orphans (feedback whose prediction is unknown) may wait at once.</summary>
    /// <value>Default 10,000.</value>
    public int OrphanCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how many feedback events one prediction may receive; more are rejected (a label stream that repeats itself is a bug or an attack).</summary>
    /// <value>Default 16.</value>
    public int MaxFeedbackPerPrediction { get; set; } = 16;

    /// <summary>Gets or sets how long an orphan waits for its prediction before it expires.</summary>
    /// <value>Default 1 hour, at most 365 days.</value>
    public TimeSpan OrphanTimeToLive { get; set; } = TimeSpan.FromHours(1);
}
