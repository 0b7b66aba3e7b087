namespace FeedbackLoop.Simulation.Prequential;

/// <summary>One cycle a loop ran during a prequential replay.</summary>
/// <param name="Prediction">The prediction (0-based, replay order) after which the cycle ran.</param>
/// <param name="Report">What the cycle observed, decided and did.</param>
public sealed record PrequentialCycle(long Prediction, CycleReport Report);
