namespace FeedbackLoop.Evaluation.Groups;

/// <summary>
/// Group fairness of a binary classifier's predicted labels across the judged groups, as Fairlearn defines it
/// (fairlearn.metrics: <c>demographic_parity_difference</c>, <c>demographic_parity_ratio</c>,
/// <c>equalized_odds_difference</c>, <c>equalized_odds_ratio</c>; Hardt, Price and Srebro 2016, "Equality of
/// opportunity in supervised learning", NeurIPS, for equalized odds and equal opportunity). Each carries its bootstrap
/// interval and is <see langword="null"/> when fewer than two groups have the rates defined.
/// </summary>
/// <param name="DemographicParityDifference">The largest minus the smallest group selection rate P(ŷ = 1); 0 is parity.</param>
/// <param name="DemographicParityRatio">The smallest over the largest selection rate; 1 is parity.</param>
/// <param name="EqualizedOddsDifference">The larger of the true-positive-rate difference and the false-positive-rate difference between groups; 0 is parity.</param>
/// <param name="EqualizedOddsRatio">The smaller of the true-positive-rate ratio and the false-positive-rate ratio; 1 is parity.</param>
/// <param name="EqualOpportunityDifference">The true-positive-rate difference between groups (recall among the positives); 0 is parity.</param>
public sealed record FairnessMeasures(
    MetricEstimate? DemographicParityDifference,
    MetricEstimate? DemographicParityRatio,
    MetricEstimate? EqualizedOddsDifference,
    MetricEstimate? EqualizedOddsRatio,
    MetricEstimate? EqualOpportunityDifference);
