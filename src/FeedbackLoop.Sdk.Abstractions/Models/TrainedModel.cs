namespace FeedbackLoop.Models;

/// <summary>A trainer's result: a ready predictor and the artifact that restores it.</summary>
/// <param name="Predictor">The predictor.</param>
/// <param name="Artifact">The serialized model; the registry stores it with its SHA-256 and an <see cref="IModelArtifactLoader"/> restores it.</param>
/// <param name="Description">A short description (algorithm, hyper-parameters).</param>
public sealed record TrainedModel(IPredictor Predictor, ReadOnlyMemory<byte> Artifact, string Description);
