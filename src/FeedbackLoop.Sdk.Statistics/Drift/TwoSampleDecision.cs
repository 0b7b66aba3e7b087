namespace FeedbackLoop.Drift;

/// <summary>How a two-sample test turns its result into a drift verdict.</summary>
public enum TwoSampleDecision
{
    /// <summary>Drift when the p-value is strictly below the threshold (the significance level).</summary>
    PValueBelowThreshold,

    /// <summary>Drift when the statistic (a distance or divergence) is greater than or equal to the threshold.</summary>
    StatisticAtLeastThreshold,
}
