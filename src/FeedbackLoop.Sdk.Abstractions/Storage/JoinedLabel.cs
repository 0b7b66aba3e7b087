namespace FeedbackLoop.Storage;

/// <summary>A label feedback event joined to its prediction: what the loop's error stream and rolling metrics read.</summary>
/// <param name="Feedback">The label feedback (<see cref="Feedback.IsLabel"/>).</param>
/// <param name="Prediction">The prediction it joined.</param>
public readonly record struct JoinedLabel(Feedback Feedback, JoinedPrediction Prediction);
