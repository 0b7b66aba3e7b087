namespace FeedbackLoop.Notifications;

/// <summary>
/// Something a loop did, as a typed event: a model trained, a candidate gated, a model promoted or rolled back, a drift
/// signalled. Telemetry subscribes to them, and so can an audit trail or a report (<see cref="ILoopObserver"/>).
/// </summary>
/// <param name="Loop">The loop's name.</param>
/// <param name="At">When it happened, by the loop's clock.</param>
public abstract record LoopNotification(string Loop, DateTimeOffset At);
