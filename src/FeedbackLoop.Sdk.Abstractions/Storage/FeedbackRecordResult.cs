namespace FeedbackLoop.Storage;

/// <summary>The result of storing a feedback event.</summary>
/// <param name="Status">Joined, orphaned or duplicate.</param>
/// <param name="Prediction">The prediction it joined, when <see cref="FeedbackRecordStatus.Joined"/>.</param>
public readonly record struct FeedbackRecordResult(FeedbackRecordStatus Status, Prediction? Prediction);
