namespace FeedbackLoop.Evaluation.Groups;

/// <summary>Whether a group's metric was judged.</summary>
public enum GroupMetricStatus
{
    /// <summary>The group is large enough and the metric is defined on it: the value and interval are reported.</summary>
    Judged,

    /// <summary>The group has fewer examples than the minimum group size: reported, not judged.</summary>
    TooSmall,

    /// <summary>The metric's denominator is empty in this group (for example recall in a group without positives).</summary>
    Undefined,
}
