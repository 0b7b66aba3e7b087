namespace FeedbackLoop.Simulation.Prequential;

/// <summary>
/// What one model change did: the new model and the one it replaced, scored on the same predictions after the change,
/// until the next change, the next drift point, or <see cref="PromotionEffects.Span"/> predictions, whichever comes first.
/// </summary>
/// <param name="At">The prediction (0-based, in replay order) from which the new model served.</param>
/// <param name="Compared">How many predictions both models scored.</param>
/// <param name="Gain">
/// How much the change improved the task's metric over those predictions, oriented so that higher is better: the new
/// model's accuracy minus the replaced model's for a classification, the replaced model's mean absolute error minus the
/// new model's for a regression. Negative when the change made the predictions worse.
/// </param>
public sealed record PrequentialPromotion(long At, long Compared, double Gain);
