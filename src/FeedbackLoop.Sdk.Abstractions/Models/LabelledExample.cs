namespace FeedbackLoop.Models;

/// <summary>A prediction joined to its label: one row of a training or holdout window.</summary>
/// <param name="Prediction">The recorded prediction (inputs, output, time).</param>
/// <param name="Label">The label from ground truth or the latest human correction.</param>
/// <param name="LabelledAt">When the label was received.</param>
public readonly record struct LabelledExample(Prediction Prediction, Label Label, DateTimeOffset LabelledAt);
