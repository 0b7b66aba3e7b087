using FeedbackLoop.Drift;

namespace FeedbackLoop.Retraining;

/// <summary>What a <see cref="IRetrainPolicy"/> sees when a cycle asks it.</summary>
/// <param name="Now">The cycle's time (from the loop's <see cref="TimeProvider"/>).</param>
/// <param name="LoopStartedAt">When the loop was built.</param>
/// <param name="LastTrainedAt">When a candidate was last trained, or <see langword="null"/> if never.</param>
/// <param name="LabelsSinceLastTraining">Labels joined to predictions since the last training that consumed them: a promotion, or a rejected candidate that was not trained since a drift (a rejected one trained since a drift learned only the labels since it, and leaves them counted).</param>
/// <param name="DriftSignals">Drift signals raised since the last training, oldest first.</param>
/// <param name="Metrics">Current rolling metrics by name (for example <c>accuracy</c> over the last labelled window); a metric is absent until enough labels exist.</param>
public sealed record RetrainContext(
    DateTimeOffset Now,
    DateTimeOffset LoopStartedAt,
    DateTimeOffset? LastTrainedAt,
    long LabelsSinceLastTraining,
    IReadOnlyList<DriftSignal> DriftSignals,
    IReadOnlyDictionary<string, double> Metrics);
