namespace FeedbackLoop.Drift;

/// <summary>The drift verdicts for one feature: its distribution, its missing-value rate and its unseen categories.</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Kind">The feature's kind.</param>
/// <param name="Distribution">The two-sample test of the non-missing values.</param>
/// <param name="AdjustedPValue">The p-value after the multiple-testing correction; <see langword="null"/> when the test has no p-value or had insufficient data.</param>
/// <param name="IsDrift">Whether the distribution drifted: the adjusted p-value is below the test's threshold, or the distance reached it.</param>
/// <param name="MissingRate">The two-proportion z-test of the missing-value rates.</param>
/// <param name="UnseenCategoryCount">The number of current values in categories absent from the reference; 0 for numeric features.</param>
/// <param name="UnseenCategories">Up to 20 of those categories, in order of first appearance.</param>
/// <param name="UnseenCategoryDrift">Whether the share of unseen-category values exceeded <see cref="FeatureDriftOptions.UnseenCategoryShare"/>.</param>
public sealed record FeatureDriftResult(
    string Feature,
    FeatureKind Kind,
    TwoSampleResult Distribution,
    double? AdjustedPValue,
    bool IsDrift,
    TwoSampleResult MissingRate,
    long UnseenCategoryCount,
    IReadOnlyList<string> UnseenCategories,
    bool UnseenCategoryDrift);
