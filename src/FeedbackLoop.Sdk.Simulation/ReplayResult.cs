namespace FeedbackLoop.Simulation;

/// <summary>What a <see cref="ProductionReplay"/> observed.</summary>
/// <param name="Phases">Accuracy per concept, then over the final tail of the replay.</param>
/// <param name="Detections">Every drift signal, in the order cycles reported them.</param>
/// <param name="Cycles">Every cycle report that did something (anything but <see cref="CycleOutcome.NoAction"/>), paired with the stream index at which the cycle ran.</param>
public sealed record ReplayResult(
    IReadOnlyList<ReplayPhase> Phases,
    IReadOnlyList<ReplayDetection> Detections,
    IReadOnlyList<(long StreamIndex, CycleReport Report)> Cycles);
