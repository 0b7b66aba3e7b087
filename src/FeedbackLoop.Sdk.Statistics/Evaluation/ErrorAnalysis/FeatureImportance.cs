namespace FeedbackLoop.Evaluation.ErrorAnalysis;

/// <summary>How much a metric worsens when one feature's values are shuffled across the window.</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Mean">The mean worsening over the repeats, in the metric's units; positive when the model relies on the feature, about 0 when it does not.</param>
/// <param name="StandardDeviation">The standard deviation of the worsening over the repeats (population form, as scikit-learn's <c>importances_std</c>).</param>
/// <param name="Repeats">The worsening of each repeat.</param>
public sealed record FeatureImportance(string Feature, double Mean, double StandardDeviation, IReadOnlyList<double> Repeats);
