using FeedbackLoop.Inference;

namespace FeedbackLoop.Drift;

/// <summary>Options of <see cref="FeatureDriftAnalyzer"/>.</summary>
/// <remarks>Read once, by the analyzer's constructor.</remarks>
public sealed class FeatureDriftOptions
{
    /// <summary>Gets or sets the test for each feature.</summary>
    /// <value><see langword="null"/> by default, which means <see cref="DriftTestSelection.Default"/>.</value>
    public Func<FeatureDriftProfile, ITwoSampleTest>? TestSelector { get; set; }

    /// <summary>
    /// Gets or sets the correction applied across the features whose tests give p-values; distance-based tests have
    /// no p-value and are judged against their own thresholds.
    /// </summary>
    /// <value><see cref="MultipleTestingCorrection.BenjaminiHochberg"/> by default.</value>
    public MultipleTestingCorrection Correction { get; set; } = MultipleTestingCorrection.BenjaminiHochberg;

    /// <summary>Gets or sets the share of drifted features at which the dataset as a whole is judged drifted.</summary>
    /// <value>0.5 by default (Evidently's <c>drift_share</c>); in (0, 1].</value>
    public double DatasetDriftShare { get; set; } = 0.5;

    /// <summary>Gets or sets the significance level of the test that the missing-value rate changed (a two-proportion z-test).</summary>
    /// <value>0.05 by default; in (0, 1).</value>
    public double MissingRateAlpha { get; set; } = 0.05;

    /// <summary>Gets or sets the share of current values in categories never seen in the reference above which the unseen categories are a signal.</summary>
    /// <value>0.01 by default; in [0, 1).</value>
    public double UnseenCategoryShare { get; set; } = 0.01;
}
