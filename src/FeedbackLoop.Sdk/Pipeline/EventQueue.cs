using System.Runtime.InteropServices;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Pipeline;

/// <summary>
/// The bounded queue between the request path and the loop's consumer: many producers, one consumer, a ring of
/// preallocated slots, so enqueuing allocates nothing and takes no lock.
/// </summary>
/// <remarks>
/// <para>
/// A producer claims a sequence number with one compare-and-swap (checking the room first), writes the event into the
/// slot and publishes it by writing the slot's sequence. The consumer drains published slots in sequence order into a
/// batch, frees them, and applies the batch. When the ring is empty the consumer sleeps on a semaphore; a producer
/// wakes it only when it announced that it sleeps. Lost wake-ups are ruled out by ordering: the consumer announces
/// its sleep with an interlocked write and then reads the claim counter, a producer claims with an interlocked write
/// and then reads the announcement, and interlocked operations are totally ordered, so one of the two sees the other.
/// </para>
/// <para>
/// Closing follows the same rule: a producer reads the closed flag after its claim; if the queue closed first, it
/// publishes an empty event (which the consumer skips) and throws, so the consumer never waits for a slot that no one
/// fills and no accepted event is dropped.
/// </para>
/// </remarks>
internal sealed class EventQueue : IDisposable
{
    private static readonly TimeSpan SpaceWaitSlice = TimeSpan.FromMilliseconds(5);

    private readonly LoopEvent[] _slots;
    private readonly long[] _published;
    private readonly int _mask;
    private readonly EventQueueFullMode _fullMode;
    private readonly SemaphoreSlim _dataAvailable = new(0);
    private readonly SemaphoreSlim _spaceAvailable = new(0);
    private readonly Lock _flushSync = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];

    // Written by producers, read by the consumer (and the other way round): each on its own cache line, so a producer's
    // claim does not invalidate the line the consumer reads its position from (false sharing).
    private Counters _counters;
    private long _applied;
    private int _producersWaiting;
    private int _closed;
    private volatile bool _stopped;

    public EventQueue(int capacity, EventQueueFullMode fullMode)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new LoopEvent[size];
        _published = new long[size];
        _mask = size - 1;
        _fullMode = fullMode;
    }

    /// <summary>Gets how many events have been accepted.</summary>
    public long Recorded => Volatile.Read(ref _counters.Claimed);

    /// <summary>Gets how many events the consumer has applied.</summary>
    public long Applied => Volatile.Read(ref _applied);

    /// <summary>Gets how many events wait to be applied.</summary>
    public long Queued => Math.Max(0, Volatile.Read(ref _counters.Claimed) - Volatile.Read(ref _applied));

    /// <summary>Hands an event to the consumer; waits for room or throws, by the queue's mode, when the ring is full.</summary>
    /// <exception cref="ObjectDisposedException">The queue is closed; the event was not recorded.</exception>
    /// <exception cref="EventQueueFullException">The ring is full in <see cref="EventQueueFullMode.Throw"/> mode.</exception>
    public void Enqueue(LoopEvent item)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            throw Closed();
        }

        long sequence;
        while (true)
        {
            sequence = Volatile.Read(ref _counters.Claimed);
            if (sequence - Volatile.Read(ref _counters.Consumed) >= _slots.Length)
            {
                WaitForSpace();
                continue;
            }

            if (Interlocked.CompareExchange(ref _counters.Claimed, sequence + 1, sequence) == sequence)
            {
                break;
            }
        }

        if (Volatile.Read(ref _counters.ConsumerSleeping) != 0 && Interlocked.Exchange(ref _counters.ConsumerSleeping, 0) != 0)
        {
            _dataAvailable.Release();
        }

        var closed = Volatile.Read(ref _closed) != 0;
        var slot = (int)sequence & _mask;
        _slots[slot] = closed ? default : item;
        Volatile.Write(ref _published[slot], sequence + 1);
        if (closed)
        {
            throw Closed();
        }
    }

    /// <summary>Moves the published events, up to <paramref name="maxCount"/>, into <paramref name="batch"/> and frees their slots.</summary>
    /// <param name="batch">The consumer's batch.</param>
    /// <param name="maxCount">The most events to move.</param>
    /// <param name="receivedAt">The time given to feedback that carries no timestamp of its own.</param>
    /// <returns>How many sequence numbers were consumed (empty events of a closing queue included).</returns>
    public int Drain(EventBatch batch, int maxCount, DateTimeOffset receivedAt)
    {
        var next = _counters.Consumed;
        var taken = 0;
        while (taken < maxCount && Volatile.Read(ref _published[(int)next & _mask]) == next + 1)
        {
            var slot = (int)next & _mask;
            var item = _slots[slot];
            _slots[slot] = default;
            if (item.Feedback is { } feedback)
            {
                batch.Add(LoopEvent.For(feedback.WithTimestampOr(receivedAt), receivedAt));
            }
            else if (item.Prediction is { } prediction)
            {
                batch.Add(LoopEvent.For(prediction, receivedAt));
            }

            next++;
            taken++;
        }

        if (taken > 0)
        {
            Volatile.Write(ref _counters.Consumed, next);
            var waiting = Volatile.Read(ref _producersWaiting);
            if (waiting > 0)
            {
                _spaceAvailable.Release(waiting);
            }
        }

        return taken;
    }

    /// <summary>Records that <paramref name="count"/> consumed events have been applied, and completes the flushes they satisfy.</summary>
    public void MarkApplied(int count)
    {
        var applied = Interlocked.Add(ref _applied, count);
        lock (_flushSync)
        {
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Target <= applied)
                {
                    _flushes[i].Done.TrySetResult();
                    _flushes.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes when every event accepted before the call has been applied.</summary>
    /// <exception cref="ObjectDisposedException">The consumer has stopped (the loop is disposed) before applying them.</exception>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return Volatile.Read(ref _applied) >= Volatile.Read(ref _counters.Claimed) ? Task.CompletedTask : Task.FromException(Closed());
        }

        var target = Volatile.Read(ref _counters.Claimed);
        if (Volatile.Read(ref _applied) >= target)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushSync)
        {
            _flushes.Add((target, done));
        }

        if (Volatile.Read(ref _applied) >= target)
        {
            done.TrySetResult();
        }
        else if (_stopped)
        {
            done.TrySetException(Closed());
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The consumer has stopped: flushes still waiting can never complete, so they fail.</summary>
    public void Stopped()
    {
        _stopped = true;
        lock (_flushSync)
        {
            foreach (var (_, done) in _flushes)
            {
                done.TrySetException(Closed());
            }

            _flushes.Clear();
        }
    }

    /// <summary>Returns when the next event is published (at once when it already is); sleeps meanwhile.</summary>
    /// <returns><see langword="false"/> when the queue is closed and everything claimed has been consumed.</returns>
    public async ValueTask<bool> WaitForEventsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = _counters.Consumed;
            if (Volatile.Read(ref _published[(int)next & _mask]) == next + 1)
            {
                return true;
            }

            Interlocked.Exchange(ref _counters.ConsumerSleeping, 1);
            if (Volatile.Read(ref _counters.Claimed) > next)
            {
                // A producer has claimed the next slot and is about to publish it.
                Interlocked.Exchange(ref _counters.ConsumerSleeping, 0);
                await Task.Yield();
                continue;
            }

            // Closed, and nothing claimed: read the claims again after the flag, since a producer that claimed before the
            // queue closed may have read the flag as open and will publish a real event.
            if (Volatile.Read(ref _closed) != 0 && Volatile.Read(ref _counters.Claimed) == next)
            {
                return false;
            }

            if (Volatile.Read(ref _closed) != 0)
            {
                Interlocked.Exchange(ref _counters.ConsumerSleeping, 0);
                await Task.Yield();
                continue;
            }

            await _dataAvailable.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops accepting events; the consumer drains what was accepted and then finds the queue finished.</summary>
    public void Close()
    {
        Interlocked.Exchange(ref _closed, 1);
        _dataAvailable.Release();
        _spaceAvailable.Release(Math.Max(1, Volatile.Read(ref _producersWaiting)));
    }

    public void Dispose()
    {
        _dataAvailable.Dispose();
        _spaceAvailable.Dispose();
    }

    [StructLayout(LayoutKind.Explicit, Size = 4 * CacheLine)]
    private struct Counters
    {
        [FieldOffset(CacheLine)]
        public long Claimed;

        [FieldOffset(2 * CacheLine)]
        public long Consumed;

        [FieldOffset(3 * CacheLine)]
        public int ConsumerSleeping;
    }

    private const int CacheLine = 64;

    private static ObjectDisposedException Closed() =>
        new(nameof(IFeedbackLoop), "The feedback loop is disposed; the event was not recorded.");

    private void WaitForSpace()
    {
        if (_fullMode == EventQueueFullMode.Throw)
        {
            throw new EventQueueFullException(
                $"The feedback loop's event queue is full ({_slots.Length} events wait for its consumer); the event was not recorded. " +
                "The consumer is behind: see the loop's statistics and logs for a failing store.");
        }

        if (Volatile.Read(ref _closed) != 0)
        {
            throw Closed();
        }

        // The consumer releases the waiters after each drain; the time slice bounds a wake-up lost between the check
        // of room and the announcement below.
        Interlocked.Increment(ref _producersWaiting);
        try
        {
            _spaceAvailable.Wait(SpaceWaitSlice);
        }
        finally
        {
            Interlocked.Decrement(ref _producersWaiting);
        }
    }
}
