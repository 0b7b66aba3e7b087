namespace FeedbackLoop.Storage;

/// <summary>Which labelled predictions a window holds.</summary>
/// <remarks>Immutable. Every filter is optional; the default query reads every labelled prediction the store keeps.</remarks>
public sealed record LabelledWindowQuery
{
    /// <summary>Gets predictions made at or after this time; <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets predictions made before this time; <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets predictions served by this model version only; <see langword="null"/> for every version.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets predictions carrying this segment tag only (key and value); <see langword="null"/> for every segment.</summary>
    public KeyValuePair<string, string>? Segment { get; init; }

    /// <summary>Gets which label a prediction with several labels contributes.</summary>
    /// <value>Default <see cref="LabelPrecedence.LatestReceived"/>.</value>
    public LabelPrecedence Precedence { get; init; } = LabelPrecedence.LatestReceived;

    /// <summary>Gets the most examples read: the newest ones (by prediction time) when more match.</summary>
    /// <value>Default <see cref="int.MaxValue"/>.</value>
    public int MaxCount { get; init; } = int.MaxValue;
}
