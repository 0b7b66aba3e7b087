using FeedbackLoop.Numerics;

namespace FeedbackLoop.Evaluation;

/// <summary>A score's sort key (see <see cref="ScoreSort.ToKey"/>) and the payload that travels with it.</summary>
/// <param name="key">The order-preserving image of the score.</param>
/// <param name="value">The payload; for ROC AUC, the example's weight signed by its class.</param>
internal readonly struct ScoreEntry(ulong key, double value) : IRadixKeyed
{
    /// <summary>Gets the order-preserving image of the score.</summary>
    public ulong Key { get; } = key;

    /// <summary>Gets the payload.</summary>
    public double Value { get; } = value;
}
