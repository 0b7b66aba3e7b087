using FeedbackLoop.Registry;

namespace FeedbackLoop.Notifications;

/// <summary>The champion was rolled back to an earlier version, which serves now.</summary>
/// <param name="Loop">The loop's name.</param>
/// <param name="At">When.</param>
/// <param name="Version">The restored champion.</param>
/// <param name="From">The version it replaced.</param>
/// <param name="Change">Who rolled back and why.</param>
public sealed record ModelRolledBack(string Loop, DateTimeOffset At, ModelVersion Version, int? From, AliasChange Change) : LoopNotification(Loop, At);
