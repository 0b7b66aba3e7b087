namespace FeedbackLoop.Evaluation;

/// <summary>A quantity measured on the data, with its seeded bootstrap percentile interval.</summary>
/// <param name="Value">The value on the data as given.</param>
/// <param name="Lower">The lower end of the interval; <see cref="Value"/> when no resample was drawn.</param>
/// <param name="Upper">The upper end of the interval; <see cref="Value"/> when no resample was drawn.</param>
/// <param name="Resamples">
/// How many resamples the interval rests on: those on which the quantity was defined (a resample can leave a group
/// without positives, say). 0 when bootstrapping is off.
/// </param>
public readonly record struct MetricEstimate(double Value, double Lower, double Upper, int Resamples);
