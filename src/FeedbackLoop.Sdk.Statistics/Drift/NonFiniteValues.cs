namespace FeedbackLoop.Drift;

/// <summary>What a stream adapter does with NaN and infinite values.</summary>
public enum NonFiniteValues
{
    /// <summary>Refuse them with an <see cref="ArgumentOutOfRangeException"/>; the detector's state is kept.</summary>
    Reject,

    /// <summary>Leave them out of the window and count them as missing values.</summary>
    CountAsMissing,
}
