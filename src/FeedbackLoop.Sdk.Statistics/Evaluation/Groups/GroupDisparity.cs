namespace FeedbackLoop.Evaluation.Groups;

/// <summary>
/// How far apart one metric is across the judged groups, as Fairlearn's <c>MetricFrame</c> reports it: group minimum
/// and maximum, difference and ratio between groups, and difference and ratio to the overall value. A quantity is
/// <see langword="null"/> when fewer than two groups are judged (one for the to-overall quantities).
/// </summary>
/// <param name="Metric">The metric.</param>
/// <param name="Minimum">The smallest group value.</param>
/// <param name="Maximum">The largest group value.</param>
/// <param name="Difference">Maximum − minimum (<c>difference(method="between_groups")</c>).</param>
/// <param name="Ratio">Minimum / maximum (<c>ratio(method="between_groups")</c>); 1 when both are 0. Meant for non-negative metrics.</param>
/// <param name="DifferenceToOverall">The largest |group − overall| (<c>difference(method="to_overall")</c>).</param>
/// <param name="RatioToOverall">The smallest min(group / overall, overall / group) (<c>ratio(method="to_overall")</c>); 0/0 counts as 1.</param>
public sealed record GroupDisparity(
    Metric Metric,
    MetricEstimate? Minimum,
    MetricEstimate? Maximum,
    MetricEstimate? Difference,
    MetricEstimate? Ratio,
    MetricEstimate? DifferenceToOverall,
    MetricEstimate? RatioToOverall);
