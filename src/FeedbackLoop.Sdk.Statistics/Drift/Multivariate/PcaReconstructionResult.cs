namespace FeedbackLoop.Drift;

/// <summary>The reconstruction error of one chunk and its verdict.</summary>
/// <param name="MeanError">The mean reconstruction error of the chunk's rows.</param>
/// <param name="LowerThreshold">The lower threshold learned on the reference chunks.</param>
/// <param name="UpperThreshold">The upper threshold learned on the reference chunks.</param>
/// <param name="IsDrift">Whether <paramref name="MeanError"/> lies outside the thresholds.</param>
/// <param name="RowCount">The number of rows in the chunk.</param>
public sealed record PcaReconstructionResult(double MeanError, double LowerThreshold, double UpperThreshold, bool IsDrift, int RowCount);
