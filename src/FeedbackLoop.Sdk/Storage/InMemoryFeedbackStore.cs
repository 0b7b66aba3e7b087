using FeedbackLoop.Models;

namespace FeedbackLoop.Storage;

/// <summary>
/// A bounded in-memory <see cref="IFeedbackStore"/>: a ring of the most recent predictions indexed by id, each
/// with the ids of the feedback applied to it, and orphans that wait for their prediction until a TTL expires.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe (one short critical section per call). In steady state recording a prediction or a joined
/// feedback allocates nothing: the ring and the index reuse their slots. Memory is bounded by
/// <see cref="FeedbackStoreOptions.PredictionCapacity"/> and <see cref="FeedbackStoreOptions.OrphanCapacity"/>;
/// beyond the orphan capacity the oldest orphan is expired early (and counted as expired).
/// </para>
/// <para>
/// De-duplication: a feedback id is remembered with the prediction it joined (or in the orphan list it waits in),
/// so a re-delivery is recognised for as long as its prediction is kept. Once a prediction is evicted, feedback
/// for it can no longer be applied at all; a late re-delivery waits as an orphan and expires.
/// </para>
/// </remarks>
public sealed class InMemoryFeedbackStore : IFeedbackStore
{
    private readonly Lock _sync = new();
    private readonly TimeSpan _orphanTtl;
    private readonly int _orphanCapacity;

    private readonly Slot[] _ring;
    private readonly GuidTable _index;
    private int _nextSlot;
    private int _slotsUsed;

    private readonly Dictionary<PredictionId, List<Orphan>> _orphans = [];
    private readonly Queue<Orphan> _orphanQueue = new();
    private long _orphansPending;

    private long _predictions;
    private long _duplicatePredictions;
    private long _evicted;
    private long _joined;
    private long _duplicateFeedback;
    private long _orphansExpired;
    private long _labelled;

    /// <summary>Initializes a new store.</summary>
    /// <param name="options">Capacities and the orphan TTL.</param>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is below 1 or the TTL is not positive.</exception>
    public InMemoryFeedbackStore(FeedbackStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PredictionCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OrphanCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OrphanTimeToLive, TimeSpan.Zero, nameof(options));
        _orphanTtl = options.OrphanTimeToLive;
        _orphanCapacity = options.OrphanCapacity;
        _ring = new Slot[options.PredictionCapacity];

        // One spare entry: a new id is added before the id it evicts is removed.
        _index = new GuidTable(options.PredictionCapacity + 1);
    }

    /// <inheritdoc />
    public PredictionRecordResult RecordPrediction(Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        lock (_sync)
        {
            var position = _nextSlot;
            if (!_index.TryAdd(prediction.Id.Value, position))
            {
                _duplicatePredictions++;
                return new PredictionRecordResult(true, []);
            }

            ref var slot = ref _ring[position];
            if (slot.Prediction is not null)
            {
                _index.Remove(slot.Prediction.Id.Value);
                _labelled -= slot.HasLabel ? 1 : 0;
                _evicted++;
            }

            _nextSlot = position + 1 == _ring.Length ? 0 : position + 1;
            _slotsUsed = Math.Max(_slotsUsed, position + 1);
            slot = new Slot { Prediction = prediction };
            _predictions++;

            if (_orphans.Count == 0 || !_orphans.Remove(prediction.Id, out var waiting))
            {
                return new PredictionRecordResult(false, []);
            }

            var adopted = new Feedback[waiting.Count];
            for (var i = 0; i < waiting.Count; i++)
            {
                waiting[i].Adopted = true;
                adopted[i] = waiting[i].Feedback;
                Join(ref slot, waiting[i].Feedback, waiting[i].ReceivedAt);
            }

            _orphansPending -= waiting.Count;
            return new PredictionRecordResult(false, adopted);
        }
    }

    /// <inheritdoc />
    public FeedbackRecordResult RecordFeedback(Feedback feedback, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        lock (_sync)
        {
            if (_index.TryGetValue(feedback.PredictionId.Value, out var position))
            {
                ref var slot = ref _ring[position];
                if (slot.HasApplied(feedback.Id))
                {
                    _duplicateFeedback++;
                    return new FeedbackRecordResult(FeedbackRecordStatus.Duplicate, null);
                }

                Join(ref slot, feedback, receivedAt);
                return new FeedbackRecordResult(FeedbackRecordStatus.Joined, slot.Prediction);
            }

            if (_orphans.TryGetValue(feedback.PredictionId, out var waiting) && waiting.Exists(o => o.Feedback.Id == feedback.Id))
            {
                _duplicateFeedback++;
                return new FeedbackRecordResult(FeedbackRecordStatus.Duplicate, null);
            }

            AddOrphan(new Orphan(feedback, receivedAt));
            return new FeedbackRecordResult(FeedbackRecordStatus.Orphaned, null);
        }
    }

    /// <inheritdoc />
    public int ExpireOrphans(DateTimeOffset now)
    {
        lock (_sync)
        {
            var expired = 0;
            while (_orphanQueue.TryPeek(out var oldest) && (oldest.Adopted || oldest.ReceivedAt + _orphanTtl <= now))
            {
                expired += DropOldestOrphan() ? 1 : 0;
            }

            return expired;
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LabelledExample>> GetLabelledExamplesAsync(DateTimeOffset? since, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var examples = new List<LabelledExample>(Math.Min(maxCount, 4096));
        lock (_sync)
        {
            // Walk the ring from the newest slot back, so the newest examples are kept when maxCount cuts.
            for (var back = 1; back <= _slotsUsed && examples.Count < maxCount; back++)
            {
                ref readonly var slot = ref _ring[(_nextSlot - back + _ring.Length) % _ring.Length];
                if (slot.HasLabel && (since is null || slot.Prediction!.Timestamp >= since))
                {
                    examples.Add(new LabelledExample(slot.Prediction!, slot.Label, slot.LabelledAt));
                }
            }
        }

        examples.Reverse();
        return ValueTask.FromResult<IReadOnlyList<LabelledExample>>(examples);
    }

    /// <inheritdoc />
    public FeedbackStoreStatistics GetStatistics()
    {
        lock (_sync)
        {
            return new FeedbackStoreStatistics(
                _predictions, _duplicatePredictions, _evicted, _joined, _duplicateFeedback, _orphansPending, _orphansExpired, _labelled);
        }
    }

    private void Join(ref Slot slot, Feedback feedback, DateTimeOffset receivedAt)
    {
        _joined++;
        slot.AddApplied(feedback.Id);
        if (!feedback.IsLabel)
        {
            return;
        }

        _labelled += slot.HasLabel ? 0 : 1;
        slot.HasLabel = true;
        slot.Label = feedback.Value;
        slot.LabelledAt = receivedAt;
    }

    private void AddOrphan(Orphan orphan)
    {
        if (_orphansPending >= _orphanCapacity)
        {
            while (!DropOldestOrphan())
            {
                // Adopted entries only leave the queue here; keep going until a pending orphan is dropped.
            }
        }

        if (!_orphans.TryGetValue(orphan.Feedback.PredictionId, out var waiting))
        {
            waiting = new List<Orphan>(1);
            _orphans.Add(orphan.Feedback.PredictionId, waiting);
        }

        waiting.Add(orphan);
        _orphanQueue.Enqueue(orphan);
        _orphansPending++;
    }

    /// <returns><see langword="true"/> when a pending orphan was dropped; <see langword="false"/> when the dequeued entry had been adopted.</returns>
    private bool DropOldestOrphan()
    {
        var oldest = _orphanQueue.Dequeue();
        if (oldest.Adopted)
        {
            return false;
        }

        var waiting = _orphans[oldest.Feedback.PredictionId];
        waiting.Remove(oldest);
        if (waiting.Count == 0)
        {
            _orphans.Remove(oldest.Feedback.PredictionId);
        }

        _orphansPending--;
        _orphansExpired++;
        return true;
    }

    /// <summary>A stored prediction, its latest label, and the ids of the feedback applied to it.</summary>
    /// <remarks>The first feedback id is kept inline (the common case: one label per prediction); more go to a list.</remarks>
    private struct Slot
    {
        public Prediction? Prediction;
        public Label Label;
        public DateTimeOffset LabelledAt;
        public bool HasLabel;
        public FeedbackId FirstApplied;
        public List<FeedbackId>? MoreApplied;

        public readonly bool HasApplied(FeedbackId id) =>
            FirstApplied == id || (MoreApplied is not null && MoreApplied.Contains(id));

        public void AddApplied(FeedbackId id)
        {
            if (FirstApplied == default)
            {
                FirstApplied = id;
            }
            else
            {
                (MoreApplied ??= new List<FeedbackId>(2)).Add(id);
            }
        }
    }

    private sealed class Orphan(Feedback feedback, DateTimeOffset receivedAt)
    {
        public Feedback Feedback { get; } = feedback;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public bool Adopted { get; set; }
    }
}
