namespace FeedbackLoop;

/// <summary>What a feedback event says about its prediction.</summary>
public enum FeedbackKind
{
    /// <summary>The observed outcome (for example "the loan defaulted"); a label for training and evaluation.</summary>
    GroundTruth,

    /// <summary>A person's corrected label; used like ground truth.</summary>
    HumanCorrection,

    /// <summary>A numeric rating of the prediction (for example 1 to 5 stars); not a label.</summary>
    Rating,

    /// <summary>A flag raised on the prediction (for example "disputed"), optionally with a categorical reason; not a label.</summary>
    Flag,
}
