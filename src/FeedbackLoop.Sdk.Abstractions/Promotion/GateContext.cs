using FeedbackLoop.Models;

namespace FeedbackLoop.Promotion;

/// <summary>What a gate compares: both models on the same holdout.</summary>
/// <param name="Candidate">The newly trained model.</param>
/// <param name="Champion">The live model, or <see langword="null"/> when there is none yet.</param>
/// <param name="Holdout">Labelled examples neither model was trained on, oldest first.</param>
/// <param name="Task">The loop's task: the kind of the holdout's labels and of both models' outputs.</param>
public sealed record GateContext(IPredictor Candidate, IPredictor? Champion, IReadOnlyList<LabelledExample> Holdout, ModelTask Task);
