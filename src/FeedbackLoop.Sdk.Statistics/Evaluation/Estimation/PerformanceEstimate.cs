namespace FeedbackLoop.Evaluation.Estimation;

/// <summary>
/// The estimated performance of a binary classifier on an unlabelled window. A metric is <see langword="null"/> when
/// it is undefined on the window (precision with no predicted positive, recall and ROC AUC when the calibrated
/// probabilities leave no expected positive or no expected negative).
/// </summary>
/// <param name="Count">The number of predictions in the window.</param>
/// <param name="Accuracy">The estimated accuracy.</param>
/// <param name="Precision">The estimated precision of the positive class.</param>
/// <param name="Recall">The estimated recall of the positive class.</param>
/// <param name="F1">The estimated F1 score, 2 E[TP] / (2 E[TP] + E[FP] + E[FN]).</param>
/// <param name="RocAuc">The estimated ROC AUC.</param>
public sealed record PerformanceEstimate(int Count, EstimatedMetric? Accuracy, EstimatedMetric? Precision, EstimatedMetric? Recall, EstimatedMetric? F1, EstimatedMetric? RocAuc);
