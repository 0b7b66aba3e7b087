using FeedbackLoop.Inference;

namespace FeedbackLoop.Drift;

/// <summary>The drift verdicts of every feature of a current sample, and of the dataset as a whole.</summary>
/// <param name="Features">One result per feature, in schema order.</param>
/// <param name="Correction">The multiple-testing correction applied.</param>
/// <param name="DriftedShare">The share of features whose distribution drifted.</param>
/// <param name="IsDrift">Whether <paramref name="DriftedShare"/> reached <see cref="FeatureDriftOptions.DatasetDriftShare"/>.</param>
public sealed record DatasetDriftReport(
    IReadOnlyList<FeatureDriftResult> Features,
    MultipleTestingCorrection Correction,
    double DriftedShare,
    bool IsDrift);
