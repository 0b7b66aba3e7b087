namespace FeedbackLoop.Storage;

/// <summary>Counters of a feedback store since it was created.</summary>
/// <param name="Predictions">Predictions stored (duplicates excluded).</param>
/// <param name="DuplicatePredictions">Predictions ignored because their id was already stored.</param>
/// <param name="PredictionsEvicted">Predictions dropped to stay within capacity.</param>
/// <param name="FeedbackJoined">Feedback joined to a prediction (on arrival or when its prediction arrived).</param>
/// <param name="DuplicateFeedback">Feedback ignored because its id was already applied.</param>
/// <param name="OrphansPending">Feedback currently waiting for its prediction.</param>
/// <param name="OrphansExpired">Orphans dropped after their TTL (or to stay within the orphan capacity).</param>
/// <param name="LabelledPredictions">Stored predictions that currently have a label.</param>
public sealed record FeedbackStoreStatistics(
    long Predictions,
    long DuplicatePredictions,
    long PredictionsEvicted,
    long FeedbackJoined,
    long DuplicateFeedback,
    long OrphansPending,
    long OrphansExpired,
    long LabelledPredictions);
