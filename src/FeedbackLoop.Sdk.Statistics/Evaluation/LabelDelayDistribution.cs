namespace FeedbackLoop.Evaluation;

/// <summary>How long labels took to arrive: from each prediction to its first label.</summary>
/// <param name="Count">The number of delays.</param>
/// <param name="Mean">The mean delay.</param>
/// <param name="Median">The median delay.</param>
/// <param name="Percentile90">The 90th percentile.</param>
/// <param name="Percentile99">The 99th percentile.</param>
/// <param name="Maximum">The longest delay.</param>
/// <remarks>Percentiles interpolate linearly between order statistics, as NumPy's default.</remarks>
public sealed record LabelDelayDistribution(int Count, TimeSpan Mean, TimeSpan Median, TimeSpan Percentile90, TimeSpan Percentile99, TimeSpan Maximum);
