using FeedbackLoop.Models;

namespace FeedbackLoop.Promotion;

/// <summary>What a gate compares: both models on the same holdout.</summary>
/// <param name="Candidate">The newly trained model.</param>
/// <param name="Champion">The live model, or <see langword="null"/> when there is none yet.</param>
/// <param name="Holdout">Labelled examples neither model was trained on, oldest first.</param>
/// <param name="Task">The loop's task: the kind of the holdout's labels and of both models' outputs.</param>
public sealed record GateContext(IPredictor Candidate, IPredictor? Champion, IReadOnlyList<LabelledExample> Holdout, ModelTask Task)
{
    /// <summary>
    /// Gets whether the candidate continues the champion's concept on more data: the champion was trained on labels since
    /// a drift, and the candidate on more labels, all since that drift or a later one — or, while fewer than two training
    /// windows of labels have joined since the drift (a gradual change may still be moving), on as many labels whose window
    /// starts later (the loop sets this from the versions' <c>training.since</c>, <c>training.examples</c> and
    /// <c>training.from</c> lineage). Such a candidate is expected to be at least as good; a gate may promote it on weaker
    /// evidence than a candidate of unknown provenance.
    /// </summary>
    /// <value>Default <see langword="false"/> (a host-made challenger, or a champion not trained since a drift).</value>
    public bool CandidateExtendsChampion { get; init; }
}
