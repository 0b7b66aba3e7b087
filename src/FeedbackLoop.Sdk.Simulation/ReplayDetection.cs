using FeedbackLoop.Drift;

namespace FeedbackLoop.Simulation;

/// <summary>A drift signal a cycle reported, placed on the replayed stream.</summary>
/// <param name="Signal">The signal.</param>
/// <param name="StreamIndex">The stream index of the prediction whose observation raised it.</param>
/// <param name="Cycle">The cycle that reported it.</param>
public sealed record ReplayDetection(DriftSignal Signal, long StreamIndex, long Cycle);
