using System.Buffers;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// The reliability diagram of a binary classifier's probabilities — per bin of predicted probability, the mean
/// prediction against the observed share of positives — with the expected and maximum calibration errors read from it.
/// </summary>
/// <remarks>
/// <para>
/// The bins are scikit-learn 1.2's <c>calibration_curve</c>: <see cref="CalibrationBinning.Uniform"/> splits [0, 1]
/// into equal widths (<c>np.linspace(0, 1, bins + 1)</c>), <see cref="CalibrationBinning.Quantile"/> puts the edges at
/// the probabilities' quantiles (<c>np.percentile</c>, linear interpolation), and a probability goes to the bin whose
/// upper edge is the first inner edge at or above it (<c>np.searchsorted(edges[1:-1], p)</c>), so a probability equal
/// to an edge belongs to the lower bin. Only non-empty bins are reported, as there.
/// </para>
/// <para>
/// The expected calibration error is Σ_b (W_b / W) |acc_b − conf_b| and the maximum calibration error max_b
/// |acc_b − conf_b| (Naeini, Cooper and Hauskrecht 2015, "Obtaining well calibrated probabilities using Bayesian
/// binning", AAAI; Guo et al. 2017, "On calibration of modern neural networks", ICML, section 2), acc_b the share of
/// positives and conf_b the mean probability in bin b, W_b its weight. scikit-learn has neither; the values are checked
/// against these definitions on scikit-learn's bins. Sample weights generalise the counts (scikit-learn's
/// <c>calibration_curve</c> is unweighted).
/// </para>
/// </remarks>
public sealed class CalibrationCurve
{
    internal CalibrationCurve(IReadOnlyList<ReliabilityBin> bins)
    {
        Bins = bins;
        double total = bins.Sum(b => b.Weight);
        ExpectedCalibrationError = bins.Sum(b => b.Weight / total * b.Gap);
        MaximumCalibrationError = bins.Max(b => b.Gap);
    }

    /// <summary>Gets the non-empty bins, in increasing order of probability.</summary>
    public IReadOnlyList<ReliabilityBin> Bins { get; }

    /// <summary>Gets the expected calibration error: the weight-averaged gap between observed and predicted positive rates.</summary>
    /// <value>In [0, 1]; 0 for a perfectly calibrated classifier at this binning.</value>
    public double ExpectedCalibrationError { get; }

    /// <summary>Gets the maximum calibration error: the largest gap of any non-empty bin.</summary>
    /// <value>In [0, 1].</value>
    public double MaximumCalibrationError { get; }

    /// <summary>Computes the reliability diagram of a batch.</summary>
    /// <param name="actual">The actual labels (<see langword="true"/> = positive).</param>
    /// <param name="probabilities">The predicted probabilities of the positive class, in [0, 1].</param>
    /// <param name="binCount">The number of bins, 1 to 1,000; 10 by default.</param>
    /// <param name="binning">Equal-width or quantile bins; equal-width by default.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The curve.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="binCount"/> or <paramref name="binning"/> is out of range, a probability is not in [0, 1], or a
    /// weight is negative or not finite.
    /// </exception>
    public static CalibrationCurve Compute(
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<double> probabilities,
        int binCount = 10,
        CalibrationBinning binning = CalibrationBinning.Uniform,
        ReadOnlySpan<double> sampleWeights = default)
    {
        MetricArguments.RequireBatch(actual.Length, probabilities.Length, nameof(probabilities), sampleWeights.Length);
        for (int i = 0; i < probabilities.Length; i++)
        {
            MetricArguments.RequireProbability(probabilities[i], i, nameof(probabilities));
        }

        double[] edges = binning switch
        {
            CalibrationBinning.Uniform => CalibrationAccumulator.UniformEdges(binCount),
            CalibrationBinning.Quantile => QuantileEdges(probabilities, binCount),
            _ => throw new ArgumentOutOfRangeException(nameof(binning), binning, "The binning must be Uniform or Quantile."),
        };
        var accumulator = new CalibrationAccumulator(edges, binning == CalibrationBinning.Uniform);
        for (int i = 0; i < actual.Length; i++)
        {
            double weight = sampleWeights.IsEmpty ? 1.0 : MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights));
            accumulator.Add(actual[i], probabilities[i], weight);
        }

        MetricArguments.RequireUsableTotalWeight(accumulator.TotalWeight, nameof(sampleWeights));
        return accumulator.ToCurve();
    }

    /// <summary>
    /// The edges at the probabilities' quantiles 0, 1/n, ..., 1, as <c>np.percentile(p, np.linspace(0, 1, n + 1) * 100)</c>
    /// computes them (NumPy 1.24, method "linear": virtual index (N − 1) q, and its two-sided interpolation).
    /// </summary>
    private static double[] QuantileEdges(ReadOnlySpan<double> probabilities, int binCount)
    {
        CalibrationAccumulator.RequireBinCount(binCount);
        int n = probabilities.Length;
        double[] buffer = ArrayPool<double>.Shared.Rent(n);
        try
        {
            Span<double> sorted = buffer.AsSpan(0, n);
            probabilities.CopyTo(sorted);
            sorted.Sort();
            var edges = new double[binCount + 1];
            double step = 1.0 / binCount;
            for (int i = 0; i <= binCount; i++)
            {
                double quantile = (i == binCount ? 1.0 : i * step) * 100 / 100;
                double index = (n - 1) * quantile;
                int below = Math.Clamp((int)Math.Floor(index), 0, n - 1);
                int above = Math.Min(below + 1, n - 1);
                double t = index - below;
                double a = sorted[below];
                double b = sorted[above];
                double difference = b - a;
                edges[i] = t >= 0.5 ? b - (difference * (1 - t)) : a + (difference * t);
            }

            return edges;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }
}
