namespace FeedbackLoop.Models;

/// <summary>The labelled window a trainer learns from.</summary>
/// <param name="Schema">The features' schema.</param>
/// <param name="Examples">The examples, oldest first.</param>
public sealed record TrainingData(FeatureSchema Schema, IReadOnlyList<LabelledExample> Examples);
