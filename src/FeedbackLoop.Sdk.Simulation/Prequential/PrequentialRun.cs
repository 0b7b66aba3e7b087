namespace FeedbackLoop.Simulation.Prequential;

/// <summary>What one strategy did on one replay: how good each prediction was, and when its model changed.</summary>
/// <param name="Strategy">The strategy's name.</param>
/// <param name="Scores">
/// One entry per replayed prediction, scored against the sample's (noisy) label by the task's metric: for a binary or
/// multiclass task 1 when the predicted class was right and 0 when it was wrong (their mean is the accuracy), for a
/// regression the absolute error <c>|y − ŷ|</c> (their mean is the mean absolute error).
/// </param>
/// <param name="ModelChanges">The predictions (0-based, in replay order) from which a new model served.</param>
/// <param name="DriftSignals">The predictions at which a drift was signalled (a loop's error or feature monitors); empty for the other strategies.</param>
/// <param name="Trainings">How many models were trained after the first (promoted or not).</param>
/// <param name="LabelsUsed">The labelled examples those trainings read, summed (training and holdout).</param>
/// <param name="TrainingTime">The wall-clock time spent training (for a loop, in cycles that trained).</param>
/// <param name="Cycles">A loop's cycles that did something (all but <see cref="CycleOutcome.NoAction"/>), each after the prediction it followed; empty for the other strategies.</param>
public sealed record PrequentialRun(
    string Strategy,
    IReadOnlyList<double> Scores,
    IReadOnlyList<long> ModelChanges,
    IReadOnlyList<long> DriftSignals,
    int Trainings,
    long LabelsUsed,
    TimeSpan TrainingTime,
    IReadOnlyList<PrequentialCycle> Cycles)
{
    /// <summary>Gets what each model change did against the model it replaced, on the same predictions after it.</summary>
    public IReadOnlyList<PrequentialPromotion> Promotions { get; init; } = [];
}
