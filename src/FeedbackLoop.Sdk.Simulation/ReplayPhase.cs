namespace FeedbackLoop.Simulation;

/// <summary>Accuracy of the loop's live model and of a baseline model over a range of a replayed stream.</summary>
/// <param name="Name">What the range is, for example "concept 0 (before drift)".</param>
/// <param name="From">The first stream index of the range.</param>
/// <param name="To">One past the last stream index of the range.</param>
/// <param name="LoopAccuracy">Share of the loop's predictions that matched the true label.</param>
/// <param name="BaselineAccuracy">Share of the baseline's predictions that matched the true label.</param>
public sealed record ReplayPhase(string Name, long From, long To, double LoopAccuracy, double BaselineAccuracy);
