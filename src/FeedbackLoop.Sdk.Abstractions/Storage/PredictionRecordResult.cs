namespace FeedbackLoop.Storage;

/// <summary>The result of storing a prediction.</summary>
/// <param name="IsDuplicate">The id was already stored; the prediction was ignored.</param>
/// <param name="AdoptedFeedback">Orphaned feedback that was waiting for this prediction and is now joined to it (usually empty).</param>
public readonly record struct PredictionRecordResult(bool IsDuplicate, IReadOnlyList<Feedback> AdoptedFeedback);
