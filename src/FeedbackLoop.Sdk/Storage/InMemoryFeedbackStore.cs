using FeedbackLoop.Models;

namespace FeedbackLoop.Storage;

/// <summary>
/// A bounded in-memory <see cref="IFeedbackStore"/>: a ring of the most recent predictions indexed by id, a
/// bounded set of applied feedback ids, and orphans that wait for their prediction until a TTL expires.
/// </summary>
/// <remarks>
/// Thread-safe (one short critical section per call). In steady state recording a prediction or a joined
/// feedback allocates nothing: the ring, the index and the id set reuse their slots. Memory is bounded by
/// <see cref="FeedbackStoreOptions.PredictionCapacity"/>, <see cref="FeedbackStoreOptions.FeedbackIdCapacity"/> and
/// <see cref="FeedbackStoreOptions.OrphanCapacity"/>; when the orphan capacity is reached the oldest orphan
/// is expired early (and counted as expired).
/// </remarks>
public sealed class InMemoryFeedbackStore : IFeedbackStore
{
    private readonly Lock _sync = new();
    private readonly TimeSpan _orphanTtl;
    private readonly int _orphanCapacity;

    private readonly Slot[] _ring;
    private readonly Dictionary<PredictionId, int> _index;
    private long _nextSlot;

    private readonly FeedbackId[] _appliedRing;
    private readonly HashSet<FeedbackId> _applied;
    private long _nextApplied;

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
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FeedbackIdCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OrphanCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OrphanTimeToLive, TimeSpan.Zero, nameof(options));
        _orphanTtl = options.OrphanTimeToLive;
        _orphanCapacity = options.OrphanCapacity;
        _ring = new Slot[options.PredictionCapacity];
        _index = new Dictionary<PredictionId, int>(options.PredictionCapacity);
        _appliedRing = new FeedbackId[options.FeedbackIdCapacity];
        _applied = new HashSet<FeedbackId>(options.FeedbackIdCapacity);
    }

    /// <inheritdoc />
    public PredictionRecordResult RecordPrediction(Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        lock (_sync)
        {
            if (_index.ContainsKey(prediction.Id))
            {
                _duplicatePredictions++;
                return new PredictionRecordResult(true, []);
            }

            var position = (int)(_nextSlot++ % _ring.Length);
            ref var slot = ref _ring[position];
            if (slot.Prediction is not null)
            {
                _index.Remove(slot.Prediction.Id);
                _labelled -= slot.HasLabel ? 1 : 0;
                _evicted++;
            }

            slot = new Slot { Prediction = prediction };
            _index.Add(prediction.Id, position);
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
            if (!_applied.Add(feedback.Id))
            {
                _duplicateFeedback++;
                return new FeedbackRecordResult(FeedbackRecordStatus.Duplicate, null);
            }

            ref var oldest = ref _appliedRing[(int)(_nextApplied++ % _appliedRing.Length)];
            if (_nextApplied > _appliedRing.Length)
            {
                _applied.Remove(oldest);
            }

            oldest = feedback.Id;

            if (_index.TryGetValue(feedback.PredictionId, out var position))
            {
                ref var slot = ref _ring[position];
                Join(ref slot, feedback, receivedAt);
                return new FeedbackRecordResult(FeedbackRecordStatus.Joined, slot.Prediction);
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
            var count = (int)Math.Min(_nextSlot, _ring.Length);
            for (var back = 1; back <= count && examples.Count < maxCount; back++)
            {
                ref readonly var slot = ref _ring[(int)((_nextSlot - back) % _ring.Length)];
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

    private struct Slot
    {
        public Prediction? Prediction;
        public Label Label;
        public DateTimeOffset LabelledAt;
        public bool HasLabel;
    }

    private sealed class Orphan(Feedback feedback, DateTimeOffset receivedAt)
    {
        public Feedback Feedback { get; } = feedback;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public bool Adopted { get; set; }
    }
}
