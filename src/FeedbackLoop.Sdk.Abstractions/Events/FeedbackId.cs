namespace FeedbackLoop;

/// <summary>Identifies a feedback event; the loop applies each identifier once (idempotent re-delivery).</summary>
/// <param name="Value">The identifier.</param>
public readonly record struct FeedbackId(Guid Value)
{
    // RFC 9562 namespace of FromKey: a random GUID chosen once for this type; changing it changes every derived id.
    private static readonly Guid KeyNamespace = new("74592b2a-4386-4167-977b-cc9a9ee1e8bc");

    /// <summary>Creates a new, unguessable identifier that starts with the current time (an RFC 9562 version-7 GUID: the Unix time in milliseconds, then 74 random bits), so that ids made in later milliseconds sort later and stores index new events at their end.</summary>
    /// <returns>The identifier.</returns>
    public static FeedbackId New() => new(TimeOrderedIds.Next());

    /// <summary>Derives a stable identifier from a host key (for example a message id), so re-deliveries deduplicate.</summary>
    /// <param name="key">The host's key; not empty.</param>
    /// <returns>
    /// The same identifier for the same key, and not the one <see cref="PredictionId.FromKey"/> derives from that key.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty.</exception>
    /// <remarks>
    /// The identifier is the name-based GUID of RFC 9562, version 5 (SHA-1), of the key's UTF-8 bytes in the
    /// <see cref="FeedbackId"/> namespace <c>74592b2a-4386-4167-977b-cc9a9ee1e8bc</c>. Each id type derives from its own
    /// namespace, so one key gives each type a different identifier. Any RFC 9562 implementation reproduces it: in
    /// Python, <c>uuid.uuid5(uuid.UUID("74592b2a-4386-4167-977b-cc9a9ee1e8bc"), key)</c>.
    /// </remarks>
    public static FeedbackId FromKey(string key) => new(StableGuid.From(KeyNamespace, key));

    /// <inheritdoc />
    public override string ToString() => Value.ToString();
}
