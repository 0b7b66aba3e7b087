using FeedbackLoop.Promotion;

namespace FeedbackLoop.Notifications;

/// <summary>The gate judged a candidate against the champion.</summary>
/// <param name="Loop">The loop's name.</param>
/// <param name="At">When.</param>
/// <param name="Cycle">The cycle's number.</param>
/// <param name="Gate">The verdict, with its reasons and metrics.</param>
public sealed record CandidateGated(string Loop, DateTimeOffset At, long Cycle, GateResult Gate) : LoopNotification(Loop, At);
