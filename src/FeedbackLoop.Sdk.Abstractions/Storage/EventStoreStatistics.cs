namespace FeedbackLoop.Storage;

/// <summary>Counters of an event store since it was created (or, for a durable store, since its database was).</summary>
/// <param name="Predictions">Predictions stored (duplicates excluded).</param>
/// <param name="DuplicatePredictions">Predictions ignored because their id was already stored.</param>
/// <param name="PredictionsEvicted">Predictions dropped to stay within capacity or retention.</param>
/// <param name="FeedbackJoined">Feedback joined to a prediction (on arrival or when its prediction arrived).</param>
/// <param name="DuplicateFeedback">Feedback ignored because its id was already applied.</param>
/// <param name="FeedbackRejected">Feedback refused by a limit (per-prediction feedback, orphan capacity), each with a reason in its batch.</param>
/// <param name="OrphansPending">Feedback currently waiting for its prediction.</param>
/// <param name="OrphansExpired">Orphans dropped after their TTL, or pushed out to make room for another source's when the orphan capacity is full.</param>
/// <param name="LabelledPredictions">Stored predictions that currently have a label.</param>
public sealed record EventStoreStatistics(
    long Predictions,
    long DuplicatePredictions,
    long PredictionsEvicted,
    long FeedbackJoined,
    long DuplicateFeedback,
    long FeedbackRejected,
    long OrphansPending,
    long OrphansExpired,
    long LabelledPredictions);
