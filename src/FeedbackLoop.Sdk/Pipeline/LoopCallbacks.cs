namespace FeedbackLoop.Pipeline;

/// <summary>Which of a loop's own callbacks an async flow runs in.</summary>
internal enum LoopCallback
{
    /// <summary>None of the loop's: the host's own flow.</summary>
    None,

    /// <summary>The loop's event consumer applying a batch: the store, the monitors, the sinks, and observers of drift signals.</summary>
    Consumer,

    /// <summary>A cycle: its stages, the trainer, the gate, and observers of what the cycle does.</summary>
    Cycle,
}

/// <summary>
/// Marks the async flows that run a loop's own callbacks, so that a call from inside one that would wait for that very
/// callback to end — disposing the loop, running a cycle, flushing from the consumer — fails fast instead of deadlocking.
/// </summary>
/// <remarks>
/// An <see cref="AsyncLocal{T}"/> holds a stack of marks, so a cycle of one loop that runs another loop's cycle still
/// knows it is inside the first. A mark counts only while its callback runs: a task the callback started and that
/// outlives it (it inherits the mark) may call the loop once the callback has returned. A task it started that calls
/// while the callback still runs is refused, as the callback may be waiting for it.
/// </remarks>
internal static class LoopCallbacks
{
    private static readonly AsyncLocal<Mark?> Current = new();

    /// <summary>Marks the calling flow as running <paramref name="callback"/> of <paramref name="loop"/> until the scope is disposed.</summary>
    public static Scope Enter(object loop, LoopCallback callback)
    {
        var mark = new Mark(loop, callback, Current.Value);
        Current.Value = mark;
        return new Scope(mark);
    }

    /// <summary>Gets which of <paramref name="loop"/>'s callbacks, still running, the current flow runs in.</summary>
    public static LoopCallback Of(object loop)
    {
        for (var mark = Current.Value; mark is not null; mark = mark.Outer)
        {
            if (mark.Active && ReferenceEquals(mark.Loop, loop))
            {
                return mark.Callback;
            }
        }

        return LoopCallback.None;
    }

    /// <summary>Ends a mark: it no longer counts, in this flow or in the tasks it started, and this flow's stack returns to the one before it.</summary>
    public readonly struct Scope(Mark mark) : IDisposable
    {
        public void Dispose()
        {
            mark.Active = false;
            Current.Value = mark.Outer;
        }
    }

    /// <summary>One callback of one loop, on a stack of them.</summary>
    internal sealed class Mark(object loop, LoopCallback callback, Mark? outer)
    {
        public object Loop { get; } = loop;

        public LoopCallback Callback { get; } = callback;

        public Mark? Outer { get; } = outer;

        public volatile bool Active = true;
    }
}
