namespace FeedbackLoop.Drift;

/// <summary>
/// Pearson's chi-square test of homogeneity (Pearson 1900) on the 2 × k table of category counts of the reference and
/// current samples, as scipy.stats.chi2_contingency with its defaults.
/// </summary>
/// <remarks>
/// <para>
/// Values are category codes (whole numbers from 0); the rows of the table are the two samples, the columns the
/// categories seen in either, so a category absent from the reference is a column with no reference count. With two
/// categories (one degree of freedom) Yates' continuity correction is applied, as scipy's default does. A single
/// category gives statistic 0 and p-value 1. Samples of fewer than 2 values give an insufficient-data result. The
/// default significance level 0.05 is Evidently's.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class ChiSquareTest : ITwoSampleTest, IHasSampleDomain
{
    /// <summary>Initializes a new instance of the <see cref="ChiSquareTest"/> class.</summary>
    /// <param name="alpha">The significance level: drift when the p-value is below it. Defaults to 0.05.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public ChiSquareTest(double alpha = 0.05)
    {
        SampleChecks.RequireProbability(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <inheritdoc />
    /// <value><c>chisquare</c>.</value>
    public string Name => "chisquare";

    /// <summary>Gets the significance level.</summary>
    /// <value>0.05 by default.</value>
    public double Alpha { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.CategoryCodes;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) => new ContingencyTest(Name, reference, Alpha, logLikelihood: false);
}
