namespace FeedbackLoop.Notifications;

/// <summary>Receives a loop's typed notifications (<see cref="LoopNotification"/> and its subtypes).</summary>
/// <remarks>
/// Called synchronously, in order for each source: cycle notifications from the thread running the cycle, drift signals
/// from the loop's consumer — so calls may be concurrent. Promotions and rollbacks are delivered in the order the
/// champion moved, one at a time and after the move's lock is released, so an observer may itself roll back; a move made
/// while another thread delivers an earlier one is delivered by that thread. Keep it fast; a failure is contained
/// (logged, counted as component <c>observer</c>, reported by the next cycle) and never stops the loop.
/// </remarks>
public interface ILoopObserver
{
    /// <summary>Receives one notification.</summary>
    /// <param name="notification">What happened; match on its type.</param>
    void OnNotification(LoopNotification notification);
}
