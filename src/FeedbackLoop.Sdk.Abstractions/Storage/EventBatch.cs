using System.Collections;

namespace FeedbackLoop.Storage;

/// <summary>
/// A batch of recorded events in arrival order, handed by the loop's consumer to the event store and then to the
/// sinks. The store reports each event's outcome (<see cref="SetOutcome"/>) and every label it joined
/// (<see cref="AddJoin"/>), including orphans that a prediction in the batch adopted.
/// </summary>
/// <remarks>
/// The events are immutable and may be kept; the batch itself is reused by the loop after the call that received it
/// returns, so a store or sink must not keep the batch (the shape of OpenTelemetry's <c>Batch&lt;T&gt;</c>).
/// Not thread-safe: one store or sink uses it at a time.
/// </remarks>
public sealed class EventBatch : IReadOnlyList<LoopEvent>
{
    private readonly List<JoinedLabel> _joins = [];
    private LoopEvent[] _events;
    private EventOutcome[] _outcomes;
    private string?[] _reasons;
    private int _count;

    /// <summary>Initializes an empty batch.</summary>
    /// <param name="capacity">How many events it holds before it grows.</param>
    public EventBatch(int capacity = 16)
    {
        _events = new LoopEvent[Math.Max(capacity, 4)];
        _outcomes = new EventOutcome[_events.Length];
        _reasons = new string?[_events.Length];
    }

    /// <inheritdoc />
    public int Count => _count;

    /// <summary>Gets the labels the store joined while appending this batch, in the order it joined them.</summary>
    public IReadOnlyList<JoinedLabel> Joins => _joins;

    /// <inheritdoc />
    public LoopEvent this[int index] => (uint)index < (uint)_count ? _events[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Gets what the store did with the event at <paramref name="index"/>.</summary>
    /// <param name="index">The event's position.</param>
    /// <returns>The outcome; <see cref="EventOutcome.Pending"/> until the store sets it.</returns>
    public EventOutcome GetOutcome(int index) => (uint)index < (uint)_count ? _outcomes[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Gets why the store rejected the event at <paramref name="index"/>.</summary>
    /// <param name="index">The event's position.</param>
    /// <returns>The reason, or <see langword="null"/> when the event was not rejected.</returns>
    public string? GetReason(int index) => (uint)index < (uint)_count ? _reasons[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Records what the store did with the event at <paramref name="index"/>.</summary>
    /// <param name="index">The event's position.</param>
    /// <param name="outcome">The outcome.</param>
    /// <param name="reason">Why, required for <see cref="EventOutcome.Rejected"/>.</param>
    /// <exception cref="ArgumentException">A rejection without a reason, or an undefined outcome.</exception>
    public void SetOutcome(int index, EventOutcome outcome, string? reason = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        if (!Enum.IsDefined(outcome) || outcome == EventOutcome.Pending)
        {
            throw new ArgumentException($"{outcome} is not an outcome a store can report.", nameof(outcome));
        }

        if (outcome == EventOutcome.Rejected && string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("A rejected event needs a reason.", nameof(reason));
        }

        _outcomes[index] = outcome;
        _reasons[index] = outcome == EventOutcome.Rejected ? reason : null;
    }

    /// <summary>Records a label the store joined to its prediction while appending this batch.</summary>
    /// <param name="join">The label and its prediction.</param>
    /// <exception cref="ArgumentException">The feedback is not a label.</exception>
    public void AddJoin(JoinedLabel join)
    {
        if (join.Feedback is not { IsLabel: true })
        {
            throw new ArgumentException("Only label feedback (ground truth, corrections) is reported as a join.", nameof(join));
        }

        _joins.Add(join);
    }

    /// <summary>Forgets the outcomes and joins, so the batch can be appended again (after a failed attempt).</summary>
    public void ResetOutcomes()
    {
        Array.Clear(_outcomes, 0, _count);
        Array.Clear(_reasons, 0, _count);
        _joins.Clear();
    }

    /// <summary>Returns an enumerator over the events that allocates nothing.</summary>
    /// <returns>The enumerator.</returns>
    public ArraySegment<LoopEvent>.Enumerator GetEnumerator() => new ArraySegment<LoopEvent>(_events, 0, _count).GetEnumerator();

    IEnumerator<LoopEvent> IEnumerable<LoopEvent>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Appends an event (the loop's consumer fills batches; tests and tools build their own).</summary>
    /// <param name="item">The event.</param>
    /// <returns>This batch.</returns>
    /// <exception cref="ArgumentException">The event is <c>default</c> (neither a prediction nor feedback).</exception>
    public EventBatch Add(LoopEvent item)
    {
        if (item.Prediction is null && item.Feedback is null)
        {
            throw new ArgumentException("The event is empty: create it with LoopEvent.For.", nameof(item));
        }

        if (_count == _events.Length)
        {
            Array.Resize(ref _events, _count * 2);
            Array.Resize(ref _outcomes, _count * 2);
            Array.Resize(ref _reasons, _count * 2);
        }

        _events[_count] = item;
        _outcomes[_count] = EventOutcome.Pending;
        _reasons[_count++] = null;
        return this;
    }

    /// <summary>Empties the batch so it can be filled again.</summary>
    public void Clear()
    {
        Array.Clear(_events, 0, _count);
        Array.Clear(_reasons, 0, _count);
        _joins.Clear();
        _count = 0;
    }
}
