namespace FeedbackLoop.Evaluation;

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Lower">The bin's lower edge (excluded, except for the first bin).</param>
/// <param name="Upper">The bin's upper edge (included).</param>
/// <param name="Weight">The total weight of the examples in the bin (their count when unweighted).</param>
/// <param name="MeanPredicted">The weighted mean predicted probability in the bin, the confidence.</param>
/// <param name="FractionPositive">The weighted share of positives in the bin, the observed rate.</param>
public readonly record struct ReliabilityBin(double Lower, double Upper, double Weight, double MeanPredicted, double FractionPositive)
{
    /// <summary>Gets the calibration gap |<see cref="FractionPositive"/> − <see cref="MeanPredicted"/>|.</summary>
    public double Gap => Math.Abs(FractionPositive - MeanPredicted);
}
