using FeedbackLoop.Drift;

namespace FeedbackLoop.Notifications;

/// <summary>A monitor's detector moved to Warning or Drift.</summary>
/// <param name="Loop">The loop's name.</param>
/// <param name="At">When the loop's consumer saw it.</param>
/// <param name="Signal">The signal.</param>
public sealed record DriftSignalled(string Loop, DateTimeOffset At, DriftSignal Signal) : LoopNotification(Loop, At);
