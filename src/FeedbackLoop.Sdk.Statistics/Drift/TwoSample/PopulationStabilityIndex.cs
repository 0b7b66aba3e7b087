namespace FeedbackLoop.Drift;

/// <summary>The population stability index (PSI), <c>Σ (q_i - p_i) ln(q_i / p_i)</c> over reference proportions
/// <c>p</c> and current proportions <c>q</c> (Siddiqi 2006, "Credit Risk Scorecards", chapter 8).</summary>
/// <remarks>
/// <para>
/// Numeric values are binned by quantiles of the reference (<see cref="DistributionBinning.QuantileBins"/>, 10 by
/// default), category codes by code (<see cref="DistributionBinning.Categories"/>); the reference is binned once in
/// <see cref="Prepare"/>. Samples of fewer than 2 values give an insufficient-data result. An empty bin's
/// proportion is replaced by <see cref="Epsilon"/> on either side so the logarithm is defined (Evidently's
/// convention); a bin empty on both sides contributes 0. The default threshold 0.1 is Evidently's; the rule of
/// thumb reads below 0.1 as stable, 0.1 to 0.25 as a moderate shift and above 0.25 as a major one. Identical
/// samples give 0.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class PopulationStabilityIndex : ITwoSampleTest, IHasSampleDomain
{
    private readonly DistributionBinning _binning;
    private readonly double _threshold;
    private readonly double _epsilon;

    /// <summary>Initializes a new instance of the <see cref="PopulationStabilityIndex"/> class.</summary>
    /// <param name="binning">How values become bins; <see langword="null"/> for 10 reference-quantile bins.</param>
    /// <param name="threshold">The distance at or above which the samples are judged drifted. Defaults to 0.1.</param>
    /// <param name="epsilon">The proportion that replaces 0 for an empty bin, on either side. Defaults to 0.0001 (Evidently).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not a finite positive number, or <paramref name="epsilon"/> is not in (0, 0.01].</exception>
    public PopulationStabilityIndex(DistributionBinning? binning = null, double threshold = 0.1, double epsilon = 1e-4)
    {
        SampleChecks.RequirePositiveThreshold(threshold, nameof(threshold));
        if (!(epsilon > 0 && epsilon <= 0.01))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be greater than 0 and at most 0.01.");
        }

        _epsilon = epsilon;
        _binning = binning ?? DistributionBinning.QuantileBins();
        _threshold = threshold;
    }

    /// <inheritdoc />
    /// <value><c>psi</c>.</value>
    public string Name => "psi";

    /// <summary>Gets how values become bins.</summary>
    public DistributionBinning Binning => _binning;

    /// <summary>Gets the distance at or above which the samples are judged drifted.</summary>
    /// <value>0.1 by default.</value>
    public double Threshold => _threshold;

    /// <summary>Gets the proportion that replaces 0 for an empty bin.</summary>
    /// <value>0.0001 by default.</value>
    public double Epsilon => _epsilon;

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => _binning.IsCategorical ? SampleDomain.CategoryCodes : SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedBinnedDistance(Name, _binning.Prepare(reference), _threshold, _epsilon, BinnedDistances.PopulationStability);
}
