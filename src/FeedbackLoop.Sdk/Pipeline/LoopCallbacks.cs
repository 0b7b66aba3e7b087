namespace FeedbackLoop.Pipeline;

/// <summary>Which of a loop's own callbacks an async flow runs in.</summary>
internal enum LoopCallback
{
    /// <summary>None of the loop's: the host's own flow.</summary>
    None,

    /// <summary>The loop's event consumer: the store, the monitors, the sinks, and observers of drift signals.</summary>
    Consumer,

    /// <summary>A cycle: its stages, the trainer, the gate, and observers of what the cycle does.</summary>
    Cycle,
}

/// <summary>
/// Marks the async flows that run a loop's own callbacks, so that a call from inside one that would wait for that very
/// callback to end — disposing the loop, running a cycle, flushing from the consumer — fails fast instead of deadlocking.
/// </summary>
/// <remarks>An <see cref="AsyncLocal{T}"/>: a mark set in an async method flows to what it calls and ends when it returns.</remarks>
internal static class LoopCallbacks
{
    private static readonly AsyncLocal<(object? Loop, LoopCallback Callback)> Current = new();

    /// <summary>Marks the rest of the calling async method's flow as <paramref name="callback"/> of <paramref name="loop"/>.</summary>
    public static void Enter(object loop, LoopCallback callback) => Current.Value = (loop, callback);

    /// <summary>Gets which of <paramref name="loop"/>'s callbacks the current flow runs in.</summary>
    public static LoopCallback Of(object loop) => ReferenceEquals(Current.Value.Loop, loop) ? Current.Value.Callback : LoopCallback.None;
}
