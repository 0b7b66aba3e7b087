namespace FeedbackLoop.Drift;

/// <summary>The L-infinity distance <c>max |p_i - q_i|</c> between the reference and current bin proportions, in
/// [0, 1]: the largest change of any one bin's share.</summary>
/// <remarks>
/// <para>
/// Numeric values are binned by quantiles of the reference (<see cref="DistributionBinning.QuantileBins"/>, 10 by
/// default), category codes by code (<see cref="DistributionBinning.Categories"/>); the reference is binned once in
/// <see cref="Prepare"/>. Samples of fewer than 2 values give an insufficient-data result. Empty bins need no
/// correction. Default threshold 0.1 (NannyML's L-infinity default). Identical samples give 0.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class LInfinityDistance : ITwoSampleTest, IHasSampleDomain
{
    private readonly DistributionBinning _binning;
    private readonly double _threshold;

    /// <summary>Initializes a new instance of the <see cref="LInfinityDistance"/> class.</summary>
    /// <param name="binning">How values become bins; <see langword="null"/> for 10 reference-quantile bins.</param>
    /// <param name="threshold">The distance at or above which the samples are judged drifted. Defaults to 0.1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not a finite positive number.</exception>
    public LInfinityDistance(DistributionBinning? binning = null, double threshold = 0.1)
    {
        SampleChecks.RequirePositiveThreshold(threshold, nameof(threshold));
        _binning = binning ?? DistributionBinning.QuantileBins();
        _threshold = threshold;
    }

    /// <inheritdoc />
    /// <value><c>linf</c>.</value>
    public string Name => "linf";

    /// <summary>Gets how values become bins.</summary>
    public DistributionBinning Binning => _binning;

    /// <summary>Gets the distance at or above which the samples are judged drifted.</summary>
    /// <value>0.1 by default.</value>
    public double Threshold => _threshold;

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => _binning.IsCategorical ? SampleDomain.CategoryCodes : SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedBinnedDistance(Name, _binning.Prepare(reference), _threshold, 0, BinnedDistances.LInfinity);
}
