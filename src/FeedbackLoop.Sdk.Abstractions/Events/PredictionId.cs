namespace FeedbackLoop;

/// <summary>Identifies a prediction; feedback refers to it to be joined.</summary>
/// <param name="Value">The identifier.</param>
public readonly record struct PredictionId(Guid Value)
{
    /// <summary>Creates a new random identifier.</summary>
    /// <returns>The identifier.</returns>
    public static PredictionId New() => new(RandomIds.Next());

    /// <summary>Derives a stable identifier from a host key (for example a request id), so the host can refer to it later.</summary>
    /// <param name="key">The host's key; not empty.</param>
    /// <returns>The same identifier for the same key.</returns>
    public static PredictionId FromKey(string key) => new(StableGuid.From(key));

    /// <inheritdoc />
    public override string ToString() => Value.ToString();
}
