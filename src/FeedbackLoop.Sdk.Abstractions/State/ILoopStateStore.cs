namespace FeedbackLoop.State;

/// <summary>
/// Keeps a loop's own state between runs: its monitors' detector states, rolling outcomes, drift signals, counters and
/// the retrain policy's clock, as one <see cref="StateSnapshot"/> per loop, so that a restarted host resumes where it was.
/// </summary>
/// <remarks>
/// Thread-safe. Saves are optimistic: each carries the revision the loop last read or wrote, and a store refuses a save
/// whose revision is not the current one (<see cref="LoopStateConflictException"/>), so two instances that share a
/// store cannot overwrite each other's state unnoticed.
/// </remarks>
public interface ILoopStateStore
{
    /// <summary>Reads a loop's latest saved state.</summary>
    /// <param name="loopName">The loop's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state and its revision, or <see langword="null"/> when the loop never saved one.</returns>
    ValueTask<SavedLoopState?> LoadAsync(string loopName, CancellationToken cancellationToken);

    /// <summary>Saves a loop's state, replacing the one of <paramref name="expectedRevision"/>.</summary>
    /// <param name="loopName">The loop's name.</param>
    /// <param name="state">The state.</param>
    /// <param name="expectedRevision">The revision the state replaces: 0 when the loop has none saved yet.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new revision.</returns>
    /// <exception cref="LoopStateConflictException">The saved state's revision is not <paramref name="expectedRevision"/>.</exception>
    ValueTask<long> SaveAsync(string loopName, StateSnapshot state, long expectedRevision, CancellationToken cancellationToken);
}
