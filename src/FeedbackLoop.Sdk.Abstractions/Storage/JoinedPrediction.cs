namespace FeedbackLoop.Storage;

/// <summary>What the loop needs of the prediction a feedback event joined, without materialising the whole prediction.</summary>
/// <param name="Id">The prediction's id.</param>
/// <param name="ModelVersion">The version of the model that made it.</param>
/// <param name="Timestamp">When it was made.</param>
/// <param name="Output">The model's output.</param>
public readonly record struct JoinedPrediction(PredictionId Id, string ModelVersion, DateTimeOffset Timestamp, PredictionOutput Output);
