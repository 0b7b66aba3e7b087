using System.Runtime.CompilerServices;
using FeedbackLoop.Models;

namespace FeedbackLoop.Storage;

/// <summary>
/// A bounded in-memory event store and labelled-window source: a ring of the most recent predictions indexed by id,
/// each with its labels and the ids of the feedback applied to it, and orphans that wait for their prediction until a
/// TTL expires.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe (one short critical section per call). In steady state appending a prediction or a joined feedback
/// allocates nothing: the ring and the index reuse their slots, and the store copies each prediction's values into
/// preallocated columns instead of keeping the prediction objects (keeping 100,000 young objects alive would promote
/// every one of them through the garbage collector's generations). A <see cref="Prediction"/> is rebuilt only for a
/// labelled window. Memory is bounded by <see cref="FeedbackStoreOptions.PredictionCapacity"/>,
/// <see cref="FeedbackStoreOptions.OrphanCapacity"/>, <see cref="FeedbackStoreOptions.MaxFeedbackPerPrediction"/> and
/// the loop's limits on string lengths.
/// </para>
/// <para>
/// De-duplication: a feedback id is remembered with the prediction it joined (or with its orphan), so a re-delivery is
/// recognised for as long as its prediction is kept; a prediction id is recognised for as long as its prediction is
/// kept. Once a prediction is evicted, feedback for it waits as an orphan and expires.
/// </para>
/// <para>
/// Orphans and invented ids: feedback for an unknown prediction id waits as an orphan, so a stream of made-up ids could
/// fill the orphan capacity. When it is full, an orphan of the source that holds the most orphans is dropped to make
/// room for a newcomer from another source, and a newcomer from that same source is rejected: orphans already waiting
/// are never pushed out by later ones of their own source, and one source cannot starve the others.
/// </para>
/// </remarks>
public sealed class InMemoryEventStore : IEventStore, ILabelledWindowSource
{
    private readonly Lock _sync = new();
    private readonly TimeSpan _orphanTtl;
    private readonly int _orphanCapacity;
    private readonly int _maxFeedback;

    private readonly FeatureSchema _schema;
    private readonly Slot[] _ring;
    private readonly Guid[] _ids;
    private readonly double[] _numeric;
    private readonly string?[] _categorical;
    private readonly PredictionIndex _index;
    private int _nextSlot;
    private int _slotsUsed;

    private readonly Dictionary<PredictionId, List<Orphan>> _orphans = [];
    private readonly LinkedList<Orphan> _orphansByAge = new();
    private readonly Dictionary<string, LinkedList<Orphan>> _orphansBySource = new(StringComparer.Ordinal);

    private long _predictions;
    private long _duplicatePredictions;
    private long _evicted;
    private long _joined;
    private long _duplicateFeedback;
    private long _rejected;
    private long _orphansExpired;
    private long _labelled;

    /// <summary>Initializes a new store.</summary>
    /// <param name="options">Capacities and the orphan TTL.</param>
    /// <param name="schema">The schema every stored prediction follows.</param>
    /// <exception cref="ArgumentOutOfRangeException">A capacity or limit is below 1, or the TTL is not positive.</exception>
    public InMemoryEventStore(FeedbackStoreOptions options, FeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PredictionCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OrphanCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFeedbackPerPrediction, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OrphanTimeToLive, TimeSpan.Zero, nameof(options));
        if ((long)options.PredictionCapacity * Math.Max(schema.NumericCount, schema.CategoricalCount) > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "PredictionCapacity times the number of features exceeds the largest array .NET can allocate.");
        }

        _orphanTtl = options.OrphanTimeToLive;
        _orphanCapacity = options.OrphanCapacity;
        _maxFeedback = options.MaxFeedbackPerPrediction;
        _schema = schema;
        _ring = new Slot[options.PredictionCapacity];
        _ids = new Guid[options.PredictionCapacity];
        _numeric = new double[(long)options.PredictionCapacity * schema.NumericCount];
        _categorical = new string?[(long)options.PredictionCapacity * schema.CategoricalCount];
        _index = new PredictionIndex(_ids);
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var item = batch[i];
                if (item.Prediction is { } prediction)
                {
                    batch.SetOutcome(i, Append(prediction, batch));
                }
                else
                {
                    var outcome = Append(item.Feedback!, item.ReceivedAt, batch, out var reason);
                    batch.SetOutcome(i, outcome, reason);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            // Every orphan is checked, not only a prefix in arrival order: when the clock steps back, an orphan that
            // arrived later may expire earlier.
            var expired = 0;
            for (var node = _orphansByAge.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.ReceivedAt + _orphanTtl <= now)
                {
                    RemoveOrphan(node.Value, fromWaitingList: true);
                    _orphansExpired++;
                    expired++;
                }

                node = next;
            }

            return ValueTask.FromResult(expired);
        }
    }

    /// <inheritdoc />
    public ValueTask<EventStoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            return ValueTask.FromResult(new EventStoreStatistics(
                _predictions, _duplicatePredictions, _evicted, _joined, _duplicateFeedback, _rejected, _orphansByAge.Count, _orphansExpired, _labelled));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LabelledExample> ReadLabelledAsync(
        LabelledWindowQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        LabelledExample[] examples;
        lock (_sync)
        {
            // The ring is in arrival order, but a window is ordered, and cut by MaxCount, by prediction time: predictions
            // recorded on several threads, or late by a host, arrive out of time order. Matches are collected oldest
            // arrival first and sorted only when they are out of order; equal timestamps keep their arrival order.
            List<(DateTimeOffset Timestamp, int Arrival, int Position)> matches = [];
            var ordered = true;
            var oldest = _slotsUsed < _ring.Length ? 0 : _nextSlot;
            for (var i = 0; i < _slotsUsed; i++)
            {
                var position = oldest + i < _ring.Length ? oldest + i : oldest + i - _ring.Length;
                ref readonly var slot = ref _ring[position];
                if (slot.HasLabel && Matches(slot, query))
                {
                    ordered &= matches.Count == 0 || matches[^1].Timestamp <= slot.Timestamp;
                    matches.Add((slot.Timestamp, matches.Count, position));
                }
            }

            if (!ordered)
            {
                matches.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.Arrival.CompareTo(b.Arrival));
            }

            var skip = Math.Max(0, matches.Count - query.MaxCount);
            examples = new LabelledExample[matches.Count - skip];
            for (var i = 0; i < examples.Length; i++)
            {
                var position = matches[skip + i].Position;
                var (label, at) = _ring[position].LabelFor(query.Precedence);
                examples[i] = new LabelledExample(Materialise(position), label, at);
            }
        }

        foreach (var example in examples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return example;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static bool Matches(in Slot slot, LabelledWindowQuery query) =>
        (query.From is not { } from || slot.Timestamp >= from)
        && (query.To is not { } to || slot.Timestamp < to)
        && (query.ModelVersion is null || string.Equals(slot.ModelVersion, query.ModelVersion, StringComparison.Ordinal))
        && (query.Segment is not { } segment
            || (slot.Segments!.TryGetValue(segment.Key, out var value) && string.Equals(value, segment.Value, StringComparison.Ordinal)));

    private EventOutcome Append(Prediction prediction, EventBatch batch)
    {
        if (!ReferenceEquals(prediction.Features.Schema, _schema) && !prediction.Features.Schema.Equals(_schema))
        {
            throw new ArgumentException($"The prediction follows schema [{prediction.Features.Schema}], but the store holds [{_schema}].", nameof(batch));
        }

        // The duplicate check comes before the eviction, so that re-sending the oldest prediction of a full ring is
        // recognised while its id is still indexed.
        if (_index.TryGetPosition(prediction.Id.Value, out _))
        {
            _duplicatePredictions++;
            return EventOutcome.Duplicate;
        }

        var position = _nextSlot;
        ref var slot = ref _ring[position];
        if (slot.ModelVersion is not null)
        {
            _index.Remove(_ids[position], position);
            _labelled -= slot.HasLabel ? 1 : 0;
            _evicted++;
        }

        _index.TryAdd(prediction.Id.Value, position);
        _ids[position] = prediction.Id.Value;
        _nextSlot = position + 1 == _ring.Length ? 0 : position + 1;
        _slotsUsed = Math.Max(_slotsUsed, position + 1);
        slot.Reset(prediction);
        prediction.Features.Numeric.CopyTo(_numeric.AsSpan(position * _schema.NumericCount, _schema.NumericCount));
        prediction.Features.Categorical.CopyTo(_categorical.AsSpan(position * _schema.CategoricalCount, _schema.CategoricalCount));
        _predictions++;

        if (_orphans.Count > 0 && _orphans.Remove(prediction.Id, out var waiting))
        {
            foreach (var orphan in waiting)
            {
                RemoveOrphan(orphan, fromWaitingList: false);
                if (slot.FeedbackCount < _maxFeedback)
                {
                    Join(ref slot, orphan.Feedback, orphan.ReceivedAt, batch, new JoinedPrediction(prediction.Id, slot.ModelVersion!, slot.Timestamp, slot.Output));
                }
                else
                {
                    _rejected++;
                }
            }
        }

        return EventOutcome.Stored;
    }

    private EventOutcome Append(Feedback feedback, DateTimeOffset receivedAt, EventBatch batch, out string? reason)
    {
        reason = null;
        if (_index.TryGetPosition(feedback.PredictionId.Value, out var position))
        {
            ref var slot = ref _ring[position];
            if (slot.HasApplied(feedback.Id))
            {
                _duplicateFeedback++;
                return EventOutcome.Duplicate;
            }

            if (slot.FeedbackCount >= _maxFeedback)
            {
                _rejected++;
                reason = $"prediction {feedback.PredictionId} already has {_maxFeedback} feedback events (FeedbackStoreOptions.MaxFeedbackPerPrediction)";
                return EventOutcome.Rejected;
            }

            Join(ref slot, feedback, receivedAt, batch, new JoinedPrediction(feedback.PredictionId, slot.ModelVersion!, slot.Timestamp, slot.Output));
            return EventOutcome.Joined;
        }

        if (_orphans.TryGetValue(feedback.PredictionId, out var waiting) && IsWaiting(waiting, feedback.Id))
        {
            _duplicateFeedback++;
            return EventOutcome.Duplicate;
        }

        if (waiting is { Count: var count } && count >= _maxFeedback)
        {
            _rejected++;
            reason = $"prediction {feedback.PredictionId} already has {_maxFeedback} orphaned feedback events waiting (FeedbackStoreOptions.MaxFeedbackPerPrediction)";
            return EventOutcome.Rejected;
        }

        if (_orphansByAge.Count >= _orphanCapacity && !MakeRoomFor(feedback.Source))
        {
            _rejected++;
            reason = $"the orphan capacity ({_orphanCapacity}) is full and source '{feedback.Source}' holds the most orphans";
            return EventOutcome.Rejected;
        }

        AddOrphan(new Orphan(feedback, receivedAt), waiting);
        return EventOutcome.Orphaned;
    }

    // A loop, not List.Exists with a lambda: the lambda would capture the parameter, and the compiler allocates that
    // closure on entry to the method, on every call.
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

    /// <summary>Drops the oldest orphan of the source holding the most, unless that is the newcomer's own source (or ties with it).</summary>
    private bool MakeRoomFor(string source)
    {
        LinkedList<Orphan>? largest = null;
        foreach (var (_, orphans) in _orphansBySource)
        {
            if (largest is null || orphans.Count > largest.Count)
            {
                largest = orphans;
            }
        }

        var own = _orphansBySource.GetValueOrDefault(source)?.Count ?? 0;
        if (largest is null || largest.Count <= own + 1)
        {
            return false;
        }

        RemoveOrphan(largest.First!.Value, fromWaitingList: true);
        _orphansExpired++;
        return true;
    }

    private void AddOrphan(Orphan orphan, List<Orphan>? waiting)
    {
        if (waiting is null)
        {
            waiting = new List<Orphan>(1);
            _orphans.Add(orphan.Feedback.PredictionId, waiting);
        }

        waiting.Add(orphan);
        orphan.ByAge = _orphansByAge.AddLast(orphan);
        if (!_orphansBySource.TryGetValue(orphan.Feedback.Source, out var bySource))
        {
            bySource = new LinkedList<Orphan>();
            _orphansBySource.Add(orphan.Feedback.Source, bySource);
        }

        orphan.BySource = bySource.AddLast(orphan);
    }

    private void RemoveOrphan(Orphan orphan, bool fromWaitingList)
    {
        _orphansByAge.Remove(orphan.ByAge!);
        var bySource = orphan.BySource!.List!;
        bySource.Remove(orphan.BySource);
        if (bySource.Count == 0)
        {
            _orphansBySource.Remove(orphan.Feedback.Source);
        }

        if (fromWaitingList)
        {
            var waiting = _orphans[orphan.Feedback.PredictionId];
            waiting.Remove(orphan);
            if (waiting.Count == 0)
            {
                _orphans.Remove(orphan.Feedback.PredictionId);
            }
        }
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

    private void Join(ref Slot slot, Feedback feedback, DateTimeOffset receivedAt, EventBatch batch, JoinedPrediction prediction)
    {
        _joined++;
        slot.AddApplied(feedback.Id);
        if (!feedback.IsLabel)
        {
            return;
        }

        _labelled += slot.HasLabel ? 0 : 1;
        slot.SetLabel(feedback, receivedAt);
        batch.AddJoin(new JoinedLabel(feedback, prediction));
    }

    /// <summary>A stored prediction (its id and features live in the columns at the same position), its labels, and the ids of the feedback applied to it.</summary>
    /// <remarks>The first feedback id is kept inline (the common case: one label per prediction); more go to a list. An empty slot has no model version.</remarks>
    private struct Slot
    {
        public string? ModelName;
        public string? ModelVersion;
        public DateTimeOffset Timestamp;
        public PredictionOutput Output;
        public SegmentDictionary? Segments;
        public Label LatestLabel;
        public DateTimeOffset LatestAt;
        public Label Correction;
        public DateTimeOffset CorrectedAt;
        public bool HasLabel;
        public bool HasCorrection;
        public FeedbackId FirstApplied;
        public List<FeedbackId>? MoreApplied;

        public readonly int FeedbackCount => FirstApplied == default ? 0 : 1 + (MoreApplied?.Count ?? 0);

        /// <summary>Overwrites the slot field by field (assigning a new struct would zero and copy all of it).</summary>
        public void Reset(Prediction prediction)
        {
            ModelName = prediction.ModelName;
            ModelVersion = prediction.ModelVersion;
            Timestamp = prediction.Timestamp;
            Output = prediction.Output;
            Segments = prediction.Segments;
            LatestLabel = default;
            LatestAt = default;
            Correction = default;
            CorrectedAt = default;
            HasLabel = false;
            HasCorrection = false;
            FirstApplied = default;
            MoreApplied = null;
        }

        public void SetLabel(Feedback feedback, DateTimeOffset receivedAt)
        {
            HasLabel = true;
            LatestLabel = feedback.Value;
            LatestAt = receivedAt;
            if (feedback.Kind == FeedbackKind.HumanCorrection)
            {
                HasCorrection = true;
                Correction = feedback.Value;
                CorrectedAt = receivedAt;
            }
        }

        public readonly (Label Label, DateTimeOffset At) LabelFor(LabelPrecedence precedence) =>
            precedence == LabelPrecedence.CorrectionsFirst && HasCorrection ? (Correction, CorrectedAt) : (LatestLabel, LatestAt);

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

        public LinkedListNode<Orphan>? ByAge { get; set; }

        public LinkedListNode<Orphan>? BySource { get; set; }
    }
}
