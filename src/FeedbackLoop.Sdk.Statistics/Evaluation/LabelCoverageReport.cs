namespace FeedbackLoop.Evaluation;

/// <summary>The loop's own health over a window of predictions: how many got ground truth, how late, and what feedback came from whom.</summary>
/// <param name="Predictions">The number of predictions in the window.</param>
/// <param name="Labelled">How many of them received a label (ground truth or a human correction).</param>
/// <param name="Delay">The distribution of label delays, or <see langword="null"/> when none was labelled (in time order).</param>
/// <param name="FeedbackByKind">The feedback for the window's predictions, counted by kind.</param>
/// <param name="FeedbackBySource">The feedback for the window's predictions, counted by source.</param>
/// <param name="UnmatchedFeedback">Feedback given for predictions outside the window; counted, not lost in silence.</param>
/// <param name="LabelsBeforePrediction">Labelled predictions whose first label is stamped before the prediction (clock skew); left out of <see cref="Delay"/>.</param>
public sealed record LabelCoverageReport(
    int Predictions,
    int Labelled,
    LabelDelayDistribution? Delay,
    IReadOnlyDictionary<FeedbackKind, int> FeedbackByKind,
    IReadOnlyDictionary<string, int> FeedbackBySource,
    int UnmatchedFeedback,
    int LabelsBeforePrediction)
{
    /// <summary>Gets the share of the window's predictions that received a label.</summary>
    /// <value>In [0, 1]; 0 for an empty window.</value>
    public double Coverage => Predictions == 0 ? 0 : (double)Labelled / Predictions;
}
