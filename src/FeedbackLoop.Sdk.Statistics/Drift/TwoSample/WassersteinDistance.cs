namespace FeedbackLoop.Drift;

/// <summary>
/// The Wasserstein-1 (earth mover's) distance between the two samples' empirical distributions,
/// <c>∫ |F_r(x) - F_c(x)| dx</c>, as scipy.stats.wasserstein_distance computes it; optionally normed by the reference
/// standard deviation, as Evidently's <c>wasserstein</c> test.
/// </summary>
/// <remarks>
/// <para>
/// The reference is checked and sorted once in <see cref="Prepare"/>; each comparison sorts the current sample into a
/// pooled buffer and walks both once. Normed (the default), the distance is divided by the reference's population
/// standard deviation, floored at 0.001 as Evidently does, so a constant reference gives a defined (large) distance
/// instead of a division by zero; the default threshold 0.1 is Evidently's for the normed distance (a shift of a tenth
/// of a standard deviation). Raw, the distance is in the feature's units and the threshold must be given in them.
/// Samples of fewer than 2 values give an insufficient-data result.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class WassersteinDistance : ITwoSampleTest, IHasSampleDomain
{
    private const double MinimumNorm = 0.001;

    /// <summary>Initializes a new instance of the <see cref="WassersteinDistance"/> class.</summary>
    /// <param name="normed">Whether the distance is divided by the reference standard deviation. Defaults to <see langword="true"/>.</param>
    /// <param name="threshold">The distance at or above which the samples are judged drifted. Defaults to 0.1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not a finite positive number.</exception>
    public WassersteinDistance(bool normed = true, double threshold = 0.1)
    {
        SampleChecks.RequirePositiveThreshold(threshold, nameof(threshold));
        Normed = normed;
        Threshold = threshold;
    }

    /// <inheritdoc />
    /// <value><c>wasserstein</c>.</value>
    public string Name => "wasserstein";

    /// <summary>Gets a value indicating whether the distance is divided by the reference standard deviation.</summary>
    /// <value><see langword="true"/> by default.</value>
    public bool Normed { get; }

    /// <summary>Gets the distance at or above which the samples are judged drifted.</summary>
    /// <value>0.1 by default.</value>
    public double Threshold { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference)
    {
        double[] sorted = SortedSamples.Prepare(reference);
        double norm = Normed ? Math.Max(PopulationStandardDeviation(sorted), MinimumNorm) : 1.0;
        return new PreparedSortedTest(
            Name,
            sorted,
            Threshold,
            TwoSampleDecision.StatisticAtLeastThreshold,
            (u, v) => (SortedSamples.CdfDistanceIntegral(u, v, power: 1) / norm, null));
    }

    private static double PopulationStandardDeviation(double[] values)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        double mean = 0;
        foreach (double value in values)
        {
            mean += value;
        }

        mean /= values.Length;
        double sumOfSquares = 0;
        foreach (double value in values)
        {
            sumOfSquares += (value - mean) * (value - mean);
        }

        return Math.Sqrt(sumOfSquares / values.Length);
    }
}
