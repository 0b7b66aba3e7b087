namespace FeedbackLoop.Simulation;

/// <summary>How one detector did on the evaluation scenarios of <see cref="DetectorEvaluation.Run"/>.</summary>
/// <param name="Detector">The detector's name, as given.</param>
/// <param name="StationaryValues">The number of values read from the stationary streams.</param>
/// <param name="StationaryFalseAlarms">The drifts raised on the stationary streams, all of them false.</param>
/// <param name="Abrupt">The outcome on the abrupt-drift streams.</param>
/// <param name="Gradual">The outcome on the gradual-drift streams.</param>
public sealed record DetectorEvaluationResult(
    string Detector,
    long StationaryValues,
    long StationaryFalseAlarms,
    DriftScenarioOutcome Abrupt,
    DriftScenarioOutcome Gradual)
{
    /// <summary>Gets the mean number of values between false alarms on the stationary streams.</summary>
    /// <value><see cref="double.PositiveInfinity"/> when no false alarm was raised (the mean then exceeds <see cref="StationaryValues"/>).</value>
    public double MeanTimeBetweenFalseAlarms =>
        StationaryFalseAlarms == 0 ? double.PositiveInfinity : (double)StationaryValues / StationaryFalseAlarms;
}
