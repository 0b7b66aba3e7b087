namespace FeedbackLoop.Drift;

/// <summary>The verdict of a two-sample test.</summary>
public enum TwoSampleOutcome
{
    /// <summary>The samples were compared and the test did not find drift.</summary>
    NoDrift,

    /// <summary>The samples were compared and the test found drift.</summary>
    Drift,

    /// <summary>A sample was too small to judge; the statistic and p-value are NaN and no verdict is given.</summary>
    InsufficientData,
}
