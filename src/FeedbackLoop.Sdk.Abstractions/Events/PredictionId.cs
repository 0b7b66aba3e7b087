namespace FeedbackLoop;

/// <summary>Identifies a prediction; feedback refers to it to be joined.</summary>
/// <param name="Value">The identifier.</param>
public readonly record struct PredictionId(Guid Value)
{
    // RFC 9562 namespace of FromKey: a random GUID chosen once for this type; changing it changes every derived id.
    private static readonly Guid KeyNamespace = new("0922194d-b93c-4844-b60a-1a23086c17ea");

    /// <summary>Creates a new, unguessable identifier that starts with the current time (an RFC 9562 version-7 GUID: the Unix time in milliseconds, then 74 random bits), so that ids made in later milliseconds sort later and stores index new events at their end.</summary>
    /// <returns>The identifier.</returns>
    public static PredictionId New() => new(TimeOrderedIds.Next());

    /// <summary>Derives a stable identifier from a host key (for example a request id), so the host can refer to it later.</summary>
    /// <param name="key">The host's key; not empty.</param>
    /// <returns>
    /// The same identifier for the same key, and not the one <see cref="FeedbackId.FromKey"/> derives from that key.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty.</exception>
    /// <remarks>
    /// The identifier is the name-based GUID of RFC 9562, version 5 (SHA-1), of the key's UTF-8 bytes in the
    /// <see cref="PredictionId"/> namespace <c>0922194d-b93c-4844-b60a-1a23086c17ea</c>. Each id type derives from its own
    /// namespace, so one key gives each type a different identifier. Any RFC 9562 implementation reproduces it: in
    /// Python, <c>uuid.uuid5(uuid.UUID("0922194d-b93c-4844-b60a-1a23086c17ea"), key)</c>.
    /// </remarks>
    public static PredictionId FromKey(string key) => new(StableGuid.From(KeyNamespace, key));

    /// <inheritdoc />
    public override string ToString() => Value.ToString();
}
