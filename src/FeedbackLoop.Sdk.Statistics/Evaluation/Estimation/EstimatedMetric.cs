namespace FeedbackLoop.Evaluation.Estimation;

/// <summary>A metric estimated without labels, with its sampling error.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="SamplingError">
/// The standard deviation of the metric's realised value when the labels are drawn from the calibrated probabilities:
/// how far the value the labels will show may fall from the estimate by chance alone.
/// </param>
/// <param name="Lower">The estimate less <see cref="CbpeOptions.BandWidth"/> sampling errors, at least 0.</param>
/// <param name="Upper">The estimate plus <see cref="CbpeOptions.BandWidth"/> sampling errors, at most 1.</param>
public readonly record struct EstimatedMetric(double Value, double SamplingError, double Lower, double Upper);
