namespace FeedbackLoop.Evaluation.Groups;

/// <summary>One metric in one group.</summary>
/// <param name="Group">The group's name (the segment tag's value).</param>
/// <param name="Metric">The metric.</param>
/// <param name="Status">Whether the metric was judged in this group.</param>
/// <param name="Estimate">The value and interval when <see cref="Status"/> is <see cref="GroupMetricStatus.Judged"/>; otherwise <see langword="null"/>.</param>
/// <param name="Reason">Why the metric was not judged, otherwise <see langword="null"/>.</param>
public sealed record GroupMetricResult(string Group, Metric Metric, GroupMetricStatus Status, MetricEstimate? Estimate, string? Reason);
