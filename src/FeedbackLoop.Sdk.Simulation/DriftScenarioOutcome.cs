namespace FeedbackLoop.Simulation;

/// <summary>How a detector did on the streams of one drift scenario.</summary>
/// <param name="Detected">The streams whose change was detected within the horizon.</param>
/// <param name="Missed">The streams whose change was not detected within the horizon.</param>
/// <param name="MeanDelay">The mean number of values from the start of the change to its detection, over the detected streams; NaN when none was detected.</param>
/// <param name="FalseAlarms">Alarms raised before the change started, over all streams.</param>
public sealed record DriftScenarioOutcome(int Detected, int Missed, double MeanDelay, long FalseAlarms);
