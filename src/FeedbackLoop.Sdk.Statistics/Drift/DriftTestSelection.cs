namespace FeedbackLoop.Drift;

/// <summary>The default choice of two-sample test for a feature, from its kind, its number of distinct values and the reference size.</summary>
/// <remarks>
/// <para>
/// The rule is Evidently's default (<c>get_default_stattest</c>), with the distinct values counted in the reference
/// only, so the choice is fixed when the reference is prepared:
/// </para>
/// <list type="table">
/// <listheader><term>reference size</term><description>numeric, more than 5 distinct | numeric, 3 to 5 distinct, or categorical with more than 2 | 2 or fewer distinct</description></listheader>
/// <item><term>up to 1,000</term><description><see cref="KolmogorovSmirnovTest"/> | <see cref="ChiSquareTest"/> | <see cref="ProportionZTest"/></description></item>
/// <item><term>more than 1,000</term><description>normed <see cref="WassersteinDistance"/> | <see cref="JensenShannonDistance"/> over categories | <see cref="JensenShannonDistance"/> over categories</description></item>
/// </list>
/// <para>
/// Why: on small samples a test with a p-value separates noise from change; on large ones every test becomes
/// significant for changes too small to matter, so a distance with a fixed threshold (0.1 of a standard deviation for
/// Wasserstein, 0.1 for Jensen-Shannon) judges the size of the change instead. Features with few distinct values are
/// compared as categories, where a distribution-function test would be dominated by ties.
/// </para>
/// </remarks>
public static class DriftTestSelection
{
    private const long SmallSample = 1_000;
    private const int FewDistinctValues = 5;

    /// <summary>Chooses the test for a feature.</summary>
    /// <param name="profile">The feature and its reference sample's shape.</param>
    /// <returns>The test, with its default threshold.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is <see langword="null"/>.</exception>
    public static ITwoSampleTest Default(FeatureDriftProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        bool categorical = profile.Feature.Kind == FeatureKind.Categorical || profile.DistinctValues <= FewDistinctValues;
        if (profile.ReferenceCount <= SmallSample)
        {
            return !categorical ? new KolmogorovSmirnovTest()
                : profile.DistinctValues > 2 ? new ChiSquareTest()
                : new ProportionZTest();
        }

        return categorical ? new JensenShannonDistance(DistributionBinning.Categories) : new WassersteinDistance();
    }
}
