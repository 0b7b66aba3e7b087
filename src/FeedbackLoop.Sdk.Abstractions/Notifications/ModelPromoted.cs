using FeedbackLoop.Registry;

namespace FeedbackLoop.Notifications;

/// <summary>A version became the champion and serves now (by a cycle or by the host's <c>PromoteAsync</c>).</summary>
/// <param name="Loop">The loop's name.</param>
/// <param name="At">When.</param>
/// <param name="Version">The new champion.</param>
/// <param name="Replaced">The version it replaced, or <see langword="null"/> for the first champion.</param>
/// <param name="Change">Who promoted it and why.</param>
public sealed record ModelPromoted(string Loop, DateTimeOffset At, ModelVersion Version, int? Replaced, AliasChange Change) : LoopNotification(Loop, At);
