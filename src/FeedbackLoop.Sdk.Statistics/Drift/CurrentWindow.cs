namespace FeedbackLoop.Drift;

/// <summary>How <see cref="TwoSampleDriftDetector"/> forms the current sample from the stream.</summary>
public enum CurrentWindow
{
    /// <summary>Consecutive, non-overlapping windows: the window is tested when full, then emptied.</summary>
    Tumbling,

    /// <summary>The most recent values: once full, the window is tested every <see cref="TwoSampleDriftDetectorOptions.EvaluateEvery"/> values.</summary>
    Sliding,
}
