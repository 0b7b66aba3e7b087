namespace FeedbackLoop.Notifications;

/// <summary>Receives a loop's typed notifications (<see cref="LoopNotification"/> and its subtypes).</summary>
/// <remarks>
/// Called synchronously, in order for each source: cycle, promotion and rollback notifications from the thread running
/// them, drift signals from the loop's consumer — so calls may be concurrent. Keep it fast; a failure is contained
/// (logged, counted as component <c>observer</c>, reported by the next cycle) and never stops the loop.
/// </remarks>
public interface ILoopObserver
{
    /// <summary>Receives one notification.</summary>
    /// <param name="notification">What happened; match on its type.</param>
    void OnNotification(LoopNotification notification);
}
