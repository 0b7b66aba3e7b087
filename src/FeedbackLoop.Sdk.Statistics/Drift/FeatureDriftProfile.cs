namespace FeedbackLoop.Drift;

/// <summary>What a test choice may depend on: a feature and the shape of its reference sample.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="DistinctValues">The number of distinct non-missing values in the reference sample.</param>
/// <param name="ReferenceCount">The number of non-missing values in the reference sample.</param>
public sealed record FeatureDriftProfile(FeatureDefinition Feature, int DistinctValues, long ReferenceCount);
