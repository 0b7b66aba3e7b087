namespace FeedbackLoop.Notifications;

/// <summary>A cycle trained a model (its artifact already loaded back once): the candidate, and again when it is refitted on the whole window after passing the gate.</summary>
/// <param name="Loop">The loop's name.</param>
/// <param name="At">When.</param>
/// <param name="Cycle">The cycle's number.</param>
/// <param name="Description">The trainer's description of the candidate.</param>
/// <param name="TrainingExamples">How many examples it learned from.</param>
public sealed record ModelTrained(string Loop, DateTimeOffset At, long Cycle, string Description, int TrainingExamples) : LoopNotification(Loop, At);
