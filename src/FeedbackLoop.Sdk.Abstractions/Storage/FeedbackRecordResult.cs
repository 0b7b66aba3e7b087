namespace FeedbackLoop.Storage;

/// <summary>The result of storing a feedback event.</summary>
/// <param name="Status">Joined, orphaned or duplicate.</param>
/// <param name="Joined">The prediction it joined, when <see cref="FeedbackRecordStatus.Joined"/>; <c>default</c> otherwise.</param>
public readonly record struct FeedbackRecordResult(FeedbackRecordStatus Status, JoinedPrediction Joined);
