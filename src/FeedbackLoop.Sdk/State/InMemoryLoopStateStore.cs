namespace FeedbackLoop.State;

/// <summary>An in-memory <see cref="ILoopStateStore"/>: it outlives a loop (share one instance between the loops a process builds), not the process.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class InMemoryLoopStateStore : ILoopStateStore
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, SavedLoopState> _states = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<SavedLoopState?> LoadAsync(string loopName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loopName);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            return ValueTask.FromResult(_states.GetValueOrDefault(loopName));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> SaveAsync(string loopName, StateSnapshot state, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loopName);
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            var current = _states.GetValueOrDefault(loopName)?.Revision ?? 0;
            if (current != expectedRevision)
            {
                throw new LoopStateConflictException(
                    $"Loop '{loopName}' saved its state over revision {expectedRevision}, but the current revision is {current}: another instance saved in between.");
            }

            _states[loopName] = new SavedLoopState(state, current + 1);
            return ValueTask.FromResult(current + 1);
        }
    }
}
