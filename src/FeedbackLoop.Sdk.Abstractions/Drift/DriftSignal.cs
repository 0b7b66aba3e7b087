namespace FeedbackLoop.Drift;

/// <summary>A detector left <see cref="DriftState.None"/> on a monitored stream.</summary>
/// <param name="Monitor">The monitored stream, for example <c>errors</c> or <c>feature:income</c>.</param>
/// <param name="State">Warning or Drift.</param>
/// <param name="DetectedAt">The time of the observation that raised it (the prediction's timestamp).</param>
/// <param name="Observation">The 1-based index of that observation in the monitored stream.</param>
/// <param name="ModelVersion">For an error stream, the serving model version it describes; <see langword="null"/> for a feature stream or the host's own model.</param>
public sealed record DriftSignal(string Monitor, DriftState State, DateTimeOffset DetectedAt, long Observation, string? ModelVersion = null);
