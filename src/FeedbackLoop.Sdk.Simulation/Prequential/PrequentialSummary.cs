namespace FeedbackLoop.Simulation.Prequential;

/// <summary>
/// The measures of one strategy's run (see <see cref="PrequentialResult.Summarize"/>). "Metric" is the task's: accuracy
/// for a binary or multiclass task (higher is better), mean absolute error for a regression (lower is better); the
/// comparisons (<see cref="ToOracle"/>, <see cref="PrequentialPromotion.Gain"/>) are oriented so that higher is better.
/// </summary>
/// <param name="Strategy">The strategy's name.</param>
/// <param name="BeforeChange">The metric before the first change (the whole replay without one).</param>
/// <param name="AfterEachChange">The metric from each change to the next (or the end).</param>
/// <param name="AfterChanges">The metric from the first change to the end.</param>
/// <param name="ToOracle"><see cref="AfterChanges"/> over the oracle's for accuracy, the oracle's over <see cref="AfterChanges"/> for a mean absolute error: higher is better, 1 is as good as the oracle; NaN without a change.</param>
/// <param name="Last">The metric over the final predictions.</param>
/// <param name="DetectionDelays">Per change, samples from the change to the first labelled sample that raised a drift, or null when none did before the next change.</param>
/// <param name="Recoveries">Per change, predictions until the rolling metric is within 1 accuracy point (or, for a regression, 5% of the mean absolute error) of the oracle's, or null when it never is before the next change.</param>
/// <param name="FalseAlarms">Drift signals before the first change.</param>
/// <param name="PromotionsBeforeChange">Model changes before the first change.</param>
/// <param name="FalseAlarmPromotions">Of those, a loop's promotions that followed a drift signal (a false alarm, the concept being the same).</param>
/// <param name="WorstPromotionBeforeChange">The smallest <see cref="PrequentialPromotion.Gain"/> of the model changes before the first change; NaN with none.</param>
/// <param name="Trainings">Models trained after the first.</param>
/// <param name="LabelsUsed">Labelled examples those trainings read.</param>
/// <param name="TrainingTime">Wall-clock time spent training.</param>
public sealed record PrequentialSummary(
    string Strategy,
    double BeforeChange,
    IReadOnlyList<double> AfterEachChange,
    double AfterChanges,
    double ToOracle,
    double Last,
    IReadOnlyList<long?> DetectionDelays,
    IReadOnlyList<long?> Recoveries,
    int FalseAlarms,
    int PromotionsBeforeChange,
    int FalseAlarmPromotions,
    double WorstPromotionBeforeChange,
    int Trainings,
    long LabelsUsed,
    TimeSpan TrainingTime);
