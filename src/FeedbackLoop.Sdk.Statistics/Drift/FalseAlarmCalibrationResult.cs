namespace FeedbackLoop.Drift;

/// <summary>The parameter value <see cref="FalseAlarmCalibration.Calibrate"/> chose and its simulated run length.</summary>
/// <param name="Parameter">The calibrated parameter value.</param>
/// <param name="RunLength">The mean number of values before the first false alarm at <paramref name="Parameter"/>, over the simulated streams (censored streams count their full length).</param>
/// <param name="StandardError">The standard error of <paramref name="RunLength"/>.</param>
/// <param name="Runs">The number of simulated streams at <paramref name="Parameter"/>.</param>
/// <param name="Censored">How many of those streams reached the censoring length without a false alarm.</param>
/// <param name="Reached">
/// Whether the search bracketed the target: <see langword="false"/> when even the strictest parameter in range
/// alarms sooner than the target, or the laxest alarms later, in which case <paramref name="Parameter"/> is that end
/// of the range.
/// </param>
public sealed record FalseAlarmCalibrationResult(double Parameter, double RunLength, double StandardError, int Runs, int Censored, bool Reached);
