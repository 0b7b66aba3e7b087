namespace FeedbackLoop;

/// <summary>Identifies a feedback event; the loop applies each identifier once (idempotent re-delivery).</summary>
/// <param name="Value">The identifier.</param>
public readonly record struct FeedbackId(Guid Value)
{
    /// <summary>Creates a new random identifier.</summary>
    /// <returns>The identifier.</returns>
    public static FeedbackId New() => new(RandomIds.Next());

    /// <summary>Derives a stable identifier from a host key (for example a message id), so re-deliveries deduplicate.</summary>
    /// <param name="key">The host's key; not empty.</param>
    /// <returns>The same identifier for the same key.</returns>
    public static FeedbackId FromKey(string key) => new(StableGuid.From(key));

    /// <inheritdoc />
    public override string ToString() => Value.ToString();
}
