using FeedbackLoop.Storage;

namespace FeedbackLoop.Coordination;

/// <summary>
/// Lets several instances (processes) of one loop run it together on a shared store: one instance at a time runs a
/// cycle, that cycle monitors what every instance recorded, once, and every instance learns when the champion moves.
/// A loop without a coordinator is alone: its cycles monitor its own events as it applies them.
/// </summary>
/// <remarks>
/// One coordinator serves one loop (it is created for the loop, as its store is). Thread-safe. The PostgreSQL package
/// implements it with an advisory lock, the store's ordered stream of applied events, and LISTEN/NOTIFY.
/// </remarks>
public interface ILoopCoordinator
{
    /// <summary>Tries to lead the loop for one cycle.</summary>
    /// <param name="cancellationToken">Cancels the call (also a wait for the lead, when the coordinator waits).</param>
    /// <returns>
    /// The lease, which the cycle disposes when it ends; <see langword="null"/> when another instance leads, and the
    /// cycle then ends as <see cref="CycleOutcome.NotLeader"/>.
    /// </returns>
    ValueTask<ICycleLease?> TryLeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the events any instance applied from <paramref name="position"/> on, in the order the store applied them, into
    /// <paramref name="batch"/>: each stored prediction (with outcome <see cref="EventOutcome.Stored"/>, when
    /// <paramref name="predictions"/> is set) and each label joined to its prediction (<see cref="EventBatch.Joins"/>).
    /// </summary>
    /// <param name="position">
    /// Where to read from: what the previous read returned; 0 for the beginning; −1 for the current end: nothing is read,
    /// and the position returned is where events applied from now on begin (for a loop whose monitors saw the past
    /// elsewhere).
    /// </param>
    /// <param name="batch">An empty batch to fill.</param>
    /// <param name="maxCount">The most events (predictions and joins together) to read.</param>
    /// <param name="predictions">Whether to read the stored predictions too (the loop monitors features), or only the joins.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Where the next read starts (past the last event read). Fewer than <paramref name="maxCount"/> events mean the stream is read to its end.</returns>
    ValueTask<long> ReadAppliedAsync(long position, EventBatch batch, int maxCount, bool predictions, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="moved"/> whenever an alias of the loop's model may have moved on any instance, and each time
    /// the watch (re)connects, since moves made while it was disconnected were not announced: the loop then reads the
    /// champion alias and serves what it names.
    /// </summary>
    /// <param name="moved">Called on the coordinator's thread; must return quickly.</param>
    /// <returns>Stops the watch when disposed.</returns>
    IAsyncDisposable WatchAliases(Action moved);
}
