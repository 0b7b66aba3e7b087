namespace FeedbackLoop.Drift;

/// <summary>
/// The Jensen-Shannon distance between the reference and current bin proportions: the square root of
/// <c>(KL(p || m) + KL(q || m)) / 2</c> with <c>m = (p + q) / 2</c> (Lin 1991; Endres and Schindelin 2003), as
/// scipy.spatial.distance.jensenshannon computes it.
/// </summary>
/// <remarks>
/// <para>
/// Numeric values are binned by quantiles of the reference (<see cref="DistributionBinning.QuantileBins"/>, 10 by
/// default), category codes by code (<see cref="DistributionBinning.Categories"/>); the reference is binned once in
/// <see cref="Prepare"/>. Samples of fewer than 2 values give an insufficient-data result. Empty bins need no
/// correction. With the natural logarithm (the default, as scipy) the distance is in [0, √ln 2]; with base 2 in
/// [0, 1]. Default threshold 0.1 (Evidently). Identical samples give 0.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class JensenShannonDistance : ITwoSampleTest, IHasSampleDomain
{
    private readonly DistributionBinning _binning;
    private readonly double _threshold;
    private readonly double _logarithmBase;

    /// <summary>Initializes a new instance of the <see cref="JensenShannonDistance"/> class.</summary>
    /// <param name="binning">How values become bins; <see langword="null"/> for 10 reference-quantile bins.</param>
    /// <param name="threshold">The distance at or above which the samples are judged drifted. Defaults to 0.1.</param>
    /// <param name="logarithmBase">The base of the logarithm. Defaults to e (scipy's default).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="threshold"/> is not a finite positive number, or <paramref name="logarithmBase"/> is not a finite number greater than 1.
    /// </exception>
    public JensenShannonDistance(DistributionBinning? binning = null, double threshold = 0.1, double logarithmBase = Math.E)
    {
        SampleChecks.RequirePositiveThreshold(threshold, nameof(threshold));
        if (!(logarithmBase > 1 && double.IsFinite(logarithmBase)))
        {
            throw new ArgumentOutOfRangeException(nameof(logarithmBase), logarithmBase, "The logarithm base must be a finite number greater than 1.");
        }

        _binning = binning ?? DistributionBinning.QuantileBins();
        _threshold = threshold;
        _logarithmBase = logarithmBase;
    }

    /// <inheritdoc />
    /// <value><c>jensenshannon</c>.</value>
    public string Name => "jensenshannon";

    /// <summary>Gets how values become bins.</summary>
    public DistributionBinning Binning => _binning;

    /// <summary>Gets the distance at or above which the samples are judged drifted.</summary>
    /// <value>0.1 by default.</value>
    public double Threshold => _threshold;

    /// <summary>Gets the base of the logarithm.</summary>
    /// <value>e by default.</value>
    public double LogarithmBase => _logarithmBase;

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => _binning.IsCategorical ? SampleDomain.CategoryCodes : SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference)
    {
        double logarithmBase = _logarithmBase;
        return new PreparedBinnedDistance(Name, _binning.Prepare(reference), _threshold, 0, (p, q) => BinnedDistances.JensenShannon(p, q, logarithmBase));
    }
}
