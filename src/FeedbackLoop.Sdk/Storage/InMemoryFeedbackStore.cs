using FeedbackLoop.Models;

namespace FeedbackLoop.Storage;

/// <summary>
/// A bounded in-memory <see cref="IFeedbackStore"/>: a ring of the most recent predictions indexed by id, each
/// with the ids of the feedback applied to it, and orphans that wait for their prediction until a TTL expires.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe (one short critical section per call). In steady state recording a prediction or a joined
/// feedback allocates nothing: the ring and the index reuse their slots. The store copies each prediction's
/// values into preallocated columns instead of keeping the host's objects, so a retained prediction costs the
/// garbage collector nothing (keeping 100,000 young objects alive would promote every one of them); a
/// <see cref="Prediction"/> is rebuilt only when asked for (<see cref="TryGetPrediction"/>, labelled windows).
/// Segment dictionaries and strings are kept by reference. Memory is bounded by
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

    private readonly FeatureSchema _schema;
    private readonly Slot[] _ring;
    private readonly Guid[] _ids;
    private readonly double[] _numeric;
    private readonly string?[] _categorical;
    private readonly PredictionIndex _index;
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
    /// <param name="schema">The schema every stored prediction follows.</param>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is below 1 or the TTL is not positive.</exception>
    public InMemoryFeedbackStore(FeedbackStoreOptions options, FeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PredictionCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OrphanCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OrphanTimeToLive, TimeSpan.Zero, nameof(options));
        _orphanTtl = options.OrphanTimeToLive;
        _orphanCapacity = options.OrphanCapacity;
        if ((long)options.PredictionCapacity * Math.Max(schema.NumericCount, schema.CategoricalCount) > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "PredictionCapacity times the number of features exceeds the largest array .NET can allocate.");
        }

        _schema = schema;
        _ring = new Slot[options.PredictionCapacity];
        _ids = new Guid[options.PredictionCapacity];
        _numeric = new double[(long)options.PredictionCapacity * schema.NumericCount];
        _categorical = new string?[(long)options.PredictionCapacity * schema.CategoricalCount];
        _index = new PredictionIndex(_ids);
    }

    /// <inheritdoc />
    public PredictionRecordResult RecordPrediction(Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (!ReferenceEquals(prediction.Features.Schema, _schema) && !prediction.Features.Schema.Equals(_schema))
        {
            throw new ArgumentException($"The prediction follows schema [{prediction.Features.Schema}], but the store holds [{_schema}].", nameof(prediction));
        }

        lock (_sync)
        {
            var position = _nextSlot;
            ref var slot = ref _ring[position];
            var evicting = slot.ModelVersion is not null;
            if (evicting)
            {
                _index.Remove(_ids[position], position);
            }

            if (!_index.TryAdd(prediction.Id.Value, position))
            {
                if (evicting)
                {
                    _index.TryAdd(_ids[position], position);
                }

                _duplicatePredictions++;
                return new PredictionRecordResult(true, []);
            }

            if (evicting)
            {
                _labelled -= slot.HasLabel ? 1 : 0;
                _evicted++;
            }

            _ids[position] = prediction.Id.Value;

            _nextSlot = position + 1 == _ring.Length ? 0 : position + 1;
            _slotsUsed = Math.Max(_slotsUsed, position + 1);
            slot.Reset(prediction);
            prediction.Features.Numeric.CopyTo(_numeric.AsSpan(position * _schema.NumericCount, _schema.NumericCount));
            prediction.Features.Categorical.CopyTo(_categorical.AsSpan(position * _schema.CategoricalCount, _schema.CategoricalCount));
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
            if (_index.TryGetPosition(feedback.PredictionId.Value, out var position))
            {
                ref var slot = ref _ring[position];
                if (slot.HasApplied(feedback.Id))
                {
                    _duplicateFeedback++;
                    return new FeedbackRecordResult(FeedbackRecordStatus.Duplicate, default);
                }

                Join(ref slot, feedback, receivedAt);
                return new FeedbackRecordResult(FeedbackRecordStatus.Joined, new JoinedPrediction(feedback.PredictionId, slot.ModelVersion!, slot.Timestamp, slot.Output));
            }

            if (_orphans.TryGetValue(feedback.PredictionId, out var waiting) && IsWaiting(waiting, feedback.Id))
            {
                _duplicateFeedback++;
                return new FeedbackRecordResult(FeedbackRecordStatus.Duplicate, default);
            }

            AddOrphan(new Orphan(feedback, receivedAt));
            return new FeedbackRecordResult(FeedbackRecordStatus.Orphaned, default);
        }
    }

    /// <inheritdoc />
    public bool TryGetPrediction(PredictionId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Prediction? prediction)
    {
        lock (_sync)
        {
            prediction = _index.TryGetPosition(id.Value, out var position) ? Materialise(position) : null;
            return prediction is not null;
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
                var position = (_nextSlot - back + _ring.Length) % _ring.Length;
                ref readonly var slot = ref _ring[position];
                if (slot.HasLabel && (since is null || slot.Timestamp >= since))
                {
                    examples.Add(new LabelledExample(Materialise(position), slot.Label, slot.LabelledAt));
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

    // A loop, not List.Exists with a lambda: the lambda would capture the parameter, and the compiler allocates
    // that closure on entry to RecordFeedback, on every call.
    private static bool IsWaiting(List<Orphan> waiting, FeedbackId id)
    {
        foreach (var orphan in waiting)
        {
            if (orphan.Feedback.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    private Prediction Materialise(int position)
    {
        ref readonly var slot = ref _ring[position];
        var features = FeatureVector.Create(
            _schema,
            _numeric.AsSpan(position * _schema.NumericCount, _schema.NumericCount),
            _categorical.AsSpan(position * _schema.CategoricalCount, _schema.CategoricalCount));
        return new Prediction(new PredictionId(_ids[position]), slot.ModelName!, slot.ModelVersion!, slot.Timestamp, features, slot.Output, slot.Segments);
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

    /// <summary>A stored prediction (its id and features live in the columns at the same position), its latest label, and the ids of the feedback applied to it.</summary>
    /// <remarks>The first feedback id is kept inline (the common case: one label per prediction); more go to a list. An empty slot has no model version.</remarks>
    private struct Slot
    {
        public string? ModelName;
        public string? ModelVersion;
        public DateTimeOffset Timestamp;
        public PredictionOutput Output;
        public IReadOnlyDictionary<string, string>? Segments;
        public Label Label;
        public DateTimeOffset LabelledAt;
        public bool HasLabel;
        public FeedbackId FirstApplied;
        public List<FeedbackId>? MoreApplied;

        /// <summary>Overwrites the slot field by field (assigning a new struct would zero and copy all of it).</summary>
        public void Reset(Prediction prediction)
        {
            ModelName = prediction.ModelName;
            ModelVersion = prediction.ModelVersion;
            Timestamp = prediction.Timestamp;
            Output = prediction.Output;
            Segments = prediction.Segments;
            Label = default;
            LabelledAt = default;
            HasLabel = false;
            FirstApplied = default;
            MoreApplied = null;
        }

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
