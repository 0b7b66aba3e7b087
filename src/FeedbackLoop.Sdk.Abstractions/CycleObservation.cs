using FeedbackLoop.Drift;

namespace FeedbackLoop;

/// <summary>What a cycle observed before deciding.</summary>
/// <param name="PredictionsRecorded">Predictions the store has recorded since the loop started.</param>
/// <param name="FeedbackReceived">Feedback events accepted since the loop started (duplicates excluded).</param>
/// <param name="LabelsSinceLastTraining">Labels joined since the last training that consumed them (see <see cref="Retraining.RetrainContext.LabelsSinceLastTraining"/>).</param>
/// <param name="OrphansExpired">Orphans that expired during this cycle.</param>
/// <param name="OrphansPending">Orphans still waiting for their prediction.</param>
/// <param name="ContainedFailures">Failures of sinks and drift detectors that the loop contained (logged, counted, skipped) since the previous cycle.</param>
/// <param name="StoreFailures">Failed attempts to write events to the store since the previous cycle (each retried with backoff until it succeeded; see <see cref="IFeedbackLoop.Health"/>).</param>
/// <param name="Metrics">Rolling metrics by name (for example <c>accuracy</c>), absent until enough labels exist.</param>
/// <param name="DriftSignals">Drift signals raised since the last training, oldest first.</param>
public sealed record CycleObservation(
    long PredictionsRecorded,
    long FeedbackReceived,
    long LabelsSinceLastTraining,
    int OrphansExpired,
    long OrphansPending,
    long ContainedFailures,
    long StoreFailures,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<DriftSignal> DriftSignals);
