namespace FeedbackLoop.Storage;

/// <summary>Which label a prediction contributes to a labelled window when it received several.</summary>
public enum LabelPrecedence
{
    /// <summary>The label received last, of any kind.</summary>
    LatestReceived,

    /// <summary>The latest human correction when there is one, else the latest ground truth: a reviewer overrules an automated label whatever the order they arrived in.</summary>
    CorrectionsFirst,
}
