namespace FeedbackLoop.Drift;

/// <summary>Options of <see cref="TwoSampleDriftDetector"/>.</summary>
/// <remarks>Read once, by the detector's constructor; later changes do not affect a detector already created.</remarks>
public sealed class TwoSampleDriftDetectorOptions
{
    /// <summary>Gets or sets the number of values in the current window.</summary>
    /// <value>500 by default; at least 2.</value>
    public int WindowSize { get; set; } = 500;

    /// <summary>Gets or sets how the current window moves.</summary>
    /// <value><see cref="CurrentWindow.Tumbling"/> by default.</value>
    public CurrentWindow Window { get; set; } = CurrentWindow.Tumbling;

    /// <summary>Gets or sets how many values pass between two tests of a full sliding window.</summary>
    /// <value>100 by default; at least 1. Ignored for <see cref="CurrentWindow.Tumbling"/>, which tests every <see cref="WindowSize"/> values.</value>
    public int EvaluateEvery { get; set; } = 100;

    /// <summary>Gets or sets what <see cref="TwoSampleDriftDetector.Update"/> does with NaN and infinite values.</summary>
    /// <value><see cref="NonFiniteValues.Reject"/> by default.</value>
    public NonFiniteValues NonFiniteValues { get; set; } = NonFiniteValues.Reject;
}
