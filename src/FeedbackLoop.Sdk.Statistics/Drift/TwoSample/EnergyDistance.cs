namespace FeedbackLoop.Drift;

/// <summary>
/// The energy distance between the two samples' empirical distributions (Székely and Rizzo 2013), computed in one
/// dimension as <c>sqrt(2 ∫ (F_r(x) - F_c(x))² dx)</c>, as scipy.stats.energy_distance does.
/// </summary>
/// <remarks>
/// <para>
/// The reference is checked and sorted once in <see cref="Prepare"/>; each comparison sorts the current sample into a
/// pooled buffer and walks both once. The distance is in the square root of the feature's units; the default
/// threshold 0.1 is Evidently's. Constant samples give 0 when equal and a defined positive distance otherwise.
/// Samples of fewer than 2 values give an insufficient-data result.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class EnergyDistance : ITwoSampleTest, IHasSampleDomain
{
    /// <summary>Initializes a new instance of the <see cref="EnergyDistance"/> class.</summary>
    /// <param name="threshold">The distance at or above which the samples are judged drifted. Defaults to 0.1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not a finite positive number.</exception>
    public EnergyDistance(double threshold = 0.1)
    {
        SampleChecks.RequirePositiveThreshold(threshold, nameof(threshold));
        Threshold = threshold;
    }

    /// <inheritdoc />
    /// <value><c>energy</c>.</value>
    public string Name => "energy";

    /// <summary>Gets the distance at or above which the samples are judged drifted.</summary>
    /// <value>0.1 by default.</value>
    public double Threshold { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedSortedTest(
            Name,
            SortedSamples.Prepare(reference),
            Threshold,
            TwoSampleDecision.StatisticAtLeastThreshold,
            (u, v) => (Math.Sqrt(2 * SortedSamples.CdfDistanceIntegral(u, v, power: 2)), null));
}
