using System.Runtime.CompilerServices;
using FeedbackLoop.Models;
using FeedbackLoop.Storage;
using Npgsql;
using NpgsqlTypes;

namespace FeedbackLoop.PostgreSql;

/// <summary>
/// A shared event store and labelled-window source on PostgreSQL: every prediction and feedback event of one loop, from
/// every instance of the service, the joins between them, orphans waiting for their prediction (in the database, so
/// feedback received by one instance joins a prediction another made), and the store's counters.
/// </summary>
/// <remarks>
/// <para>
/// Each <see cref="AppendAsync"/> commits one transaction: a batch is applied whole or, when it throws, not at all.
/// Appends of one loop take turns on its counters row (an upsert that locks it), so the outcome of every event is
/// decided against everything committed before, whichever instance committed it: a re-sent event, or one two instances
/// received, is a duplicate and stored once. A batch is decided in memory, from what this writer remembers of the
/// newest predictions (caught up with the other writers' commits) and one read of the rest it refers to; its new rows
/// go in by binary COPY. A prediction the writer does not know is taken for new: when it was stored already, the
/// table's key refuses the COPY (the server logs the duplicate key), and the batch is decided again from everything the
/// database holds.
/// </para>
/// <para>
/// Labelled windows walk the predictions of the window's time range newest first through the time index and join
/// their label rows, from the last committed state. Thread-safe; every call takes its own pooled connection.
/// </para>
/// </remarks>
#pragma warning disable CA1001 // The one disposable field, a SemaphoreSlim whose wait handle is never used, holds nothing to release.
public sealed class PostgreSqlEventStore : IEventStore, ILabelledWindowSource
#pragma warning restore CA1001
{
    private const short Applied = 0;
    private const short Orphan = 1;

    /// <summary>How many stored predictions a writer remembers (the newest), so that their labels join without a read.</summary>
    private const int RecentCapacity = 65_536;

    /// <summary>The most predictions one retention transaction deletes.</summary>
    private const int RetentionChunk = 10_000;
    private const string CounterColumns =
        "next_seq, predictions, duplicate_predictions, evicted, joined, duplicate_feedback, rejected, orphans_pending, orphans_expired, labelled, schema_fingerprint";

    private static readonly string LabelKinds = $"{(int)FeedbackKind.GroundTruth}, {(int)FeedbackKind.HumanCorrection}";

    private readonly PostgreSqlDatabase _database;
    private readonly string _loop;
    private readonly FeatureSchema _schema;
    private readonly long _orphanTtlTicks;
    private readonly int _maxFeedback;
    private readonly TimeSpan? _retention;

    // Appends through this instance take turns, so the memory below is used by one at a time.
    private readonly SemaphoreSlim _appending = new(1, 1);

    // What this writer knows of the newest stored predictions (insertion order: the oldest goes first) as of the loop's
    // next_seq after its last commit; caught up with other writers' commits since, forgotten when retention deleted some.
    private readonly Dictionary<Guid, Known> _recent = [];
    private readonly Queue<Guid> _recentOrder = new();
    private long _recentSeq = -1;
    private long _recentEvicted;

    /// <summary>Initializes a store of one loop's events in a schema of a PostgreSQL database (created and migrated on first use).</summary>
    /// <param name="dataSource">Where connections come from; the caller keeps ownership.</param>
    /// <param name="loopName">The loop whose events the store keeps; several loops may share a schema.</param>
    /// <param name="schema">The schema every stored prediction follows.</param>
    /// <param name="options">The orphan TTL and the most feedback per prediction (the capacities of the in-memory store do not apply).</param>
    /// <param name="retainFor">How long predictions and their feedback are kept, counted from the prediction's time; <see langword="null"/> to keep them.</param>
    /// <param name="databaseSchema">The PostgreSQL schema the library's tables live in.</param>
    /// <exception cref="ArgumentException">The loop name is empty, or the database schema name is not a plain identifier.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The TTL, the feedback limit or the retention is not positive.</exception>
    public PostgreSqlEventStore(NpgsqlDataSource dataSource, string loopName, FeatureSchema schema, FeedbackStoreOptions? options = null, TimeSpan? retainFor = null, string databaseSchema = "feedbackloop")
        : this(new PostgreSqlDatabase(dataSource, databaseSchema), loopName, schema, options ?? new FeedbackStoreOptions(), retainFor)
    {
    }

    internal PostgreSqlEventStore(PostgreSqlDatabase database, string loopName, FeatureSchema schema, FeedbackStoreOptions options, TimeSpan? retainFor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(loopName);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFeedbackPerPrediction, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OrphanTimeToLive, TimeSpan.Zero, nameof(options));
        if (retainFor is { } retention)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero, nameof(retainFor));
        }

        _database = database;
        _loop = loopName;
        _schema = schema;
        _orphanTtlTicks = options.OrphanTimeToLive.Ticks;
        _maxFeedback = options.MaxFeedbackPerPrediction;
        _retention = retainFor;
    }

    /// <inheritdoc />
    public async ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Prediction is { } prediction && !ReferenceEquals(prediction.Features.Schema, _schema) && !prediction.Features.Schema.Equals(_schema))
            {
                throw new ArgumentException($"The prediction follows schema [{prediction.Features.Schema}], but the store holds [{_schema}].", nameof(batch));
            }
        }

        await _appending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _database.GuardAsync(async () =>
            {
                try
                {
                    await AppendOnceAsync(batch, trustMemory: true, cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    // An event the memory took for new was stored already (a batch sent again, an id reused): nothing
                    // of the attempt was kept; decide the batch again from everything the database holds.
                    batch.ResetOutcomes();
                    Forget();
                    await AppendOnceAsync(batch, trustMemory: false, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        catch
        {
            // The failed attempt's decisions changed remembered entries that its rollback did not keep.
            Forget();
            throw;
        }
        finally
        {
            _appending.Release();
        }
    }

    /// <summary>
    /// Applies a batch in one transaction under the loop's counters row. With <paramref name="trustMemory"/>, what this
    /// writer remembers of the predictions it stored or read is not read again while no other writer has moved the loop's
    /// sequence, and a prediction the memory does not know is taken for new (only the orphans that may wait for it are
    /// read): the tables' keys would refuse a duplicate so missed, and the caller then applies the batch again without
    /// trusting the memory.
    /// </summary>
    private async Task AppendOnceAsync(EventBatch batch, bool trustMemory, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var counters = await LockCountersAsync(connection, cancellationToken).ConfigureAwait(false);
        if (counters.Evicted != _recentEvicted || counters.NextSeq < _recentSeq || counters.NextSeq - _recentSeq > RecentCapacity || _recentSeq < 0)
        {
            // Retention deleted predictions, the sequence went back (a restored database), or too much happened since
            // this writer's last commit to catch up with.
            Forget();
        }
        else if (counters.NextSeq != _recentSeq && trustMemory)
        {
            await CatchUpAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        var known = await ReadKnownAsync(connection, batch, trustMemory, orphansWait: counters.OrphansPending > 0, cancellationToken).ConfigureAwait(false);
        var changes = new Changes();
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if (item.Prediction is { } prediction)
            {
                batch.SetOutcome(i, ApplyPrediction(prediction, known, changes, batch, ref counters));
            }
            else
            {
                var outcome = ApplyFeedback(item.Feedback!, item.ReceivedAt, known, changes, batch, ref counters, out var reason);
                batch.SetOutcome(i, outcome, reason);
            }
        }

        await WriteAsync(connection, changes, counters, cancellationToken).ConfigureAwait(false);

        // Once sent, the commit is not cancelled: a retry of a batch that did commit would report every event a duplicate.
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        Remember(known, counters);
    }

    /// <summary>
    /// Brings the memory up to date with what other writers committed since this writer's last commit: the predictions
    /// they stored and the feedback they applied, read by position (every position from the last commit on was taken
    /// after it). Feedback applied to a prediction the memory holds is added to it.
    /// </summary>
    private async Task CatchUpAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var schema = _database.Schema;
        await using var read = new NpgsqlBatch(connection);
        Add(read, $"SELECT id, model_version, ts, label_kind, label_number, label_category, score, probabilities FROM {schema}.predictions WHERE loop = @loop AND seq >= @since;", ("since", _recentSeq));
        Add(read, $"SELECT prediction_id, id, kind FROM {schema}.feedback WHERE loop = @loop AND join_seq >= @since;", ("since", _recentSeq));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            Remember(reader.GetGuid(0), ReadStoredPrediction(reader));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_recent.TryGetValue(reader.GetGuid(0), out var state) && state.FeedbackIds.Add(reader.GetGuid(1)))
            {
                state.FeedbackCount++;
                state.Labelled |= (FeedbackKind)reader.GetInt16(2) is FeedbackKind.GroundTruth or FeedbackKind.HumanCorrection;
            }
        }
    }

    /// <summary>Remembers the stored predictions a committed batch knows completely (their feedback ids and count, whether one is labelled) and where the loop's sequence is.</summary>
    private void Remember(Dictionary<Guid, Known> known, Counters counters)
    {
        foreach (var (id, state) in known)
        {
            Remember(id, state);
        }

        (_recentSeq, _recentEvicted) = (counters.NextSeq, counters.Evicted);
    }

    /// <summary>Adds a stored prediction to the memory; the oldest remembered go first.</summary>
    private void Remember(Guid id, Known state)
    {
        if (state.Stored && _recent.TryAdd(id, state))
        {
            _recentOrder.Enqueue(id);
            if (_recent.Count > RecentCapacity)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }
        }
    }

    private void Forget()
    {
        _recent.Clear();
        _recentOrder.Clear();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Orphans past their TTL go in one statement; predictions past the retention, with their feedback, go in chunks of
    /// <see cref="RetentionChunk"/>, each its own transaction, so a large backlog never holds the loop's counters row
    /// (and its appends) for long.
    /// </remarks>
    public async ValueTask<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var schema = _database.Schema;
        var expired = await UnderCountersAsync(async (connection, counters) =>
        {
            var count = await ExecuteAsync(
                connection,
                $"DELETE FROM {schema}.feedback WHERE loop = @loop AND state = {Orphan} AND received_at <= @cutoff;",
                cancellationToken,
                ("cutoff", now.UtcTicks - _orphanTtlTicks)).ConfigureAwait(false);
            counters.OrphansPending -= count;
            counters.OrphansExpired += count;
            return (counters, count);
        }, cancellationToken).ConfigureAwait(false);

        if (_retention is { } retention)
        {
            var cutoff = now.UtcTicks - retention.Ticks;
            while (await UnderCountersAsync((connection, counters) => DeleteChunkAsync(connection, counters, cutoff, cancellationToken), cancellationToken).ConfigureAwait(false) == RetentionChunk)
            {
            }
        }

        return (int)expired;
    }

    /// <inheritdoc />
    public async ValueTask<EventStoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var c = await _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await ReadCountersAsync(connection, $"SELECT {CounterColumns} FROM {_database.Schema}.event_counters WHERE loop = @loop;", cancellationToken).ConfigureAwait(false) ?? default;
        }).ConfigureAwait(false);
        return new EventStoreStatistics(c.Predictions, c.DuplicatePredictions, c.Evicted, c.Joined, c.DuplicateFeedback, c.Rejected, c.OrphansPending, c.OrphansExpired, c.Labelled);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LabelledExample> ReadLabelledAsync(LabelledWindowQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        var examples = await _database.GuardAsync(() => ReadNewestAsync(query, cancellationToken)).ConfigureAwait(false);
        for (var i = examples.Count - 1; i >= 0; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return examples[i];
        }
    }

    /// <summary>
    /// Reads the loop's applied events from <paramref name="position"/> on, in the order of the loop's sequence (see
    /// <see cref="Coordination.ILoopCoordinator.ReadAppliedAsync"/>): stored predictions by their seq, joined labels by
    /// the seq of their join. Positions are taken under the counters row's lock, so they grow in commit order.
    /// </summary>
    internal Task<long> ReadAppliedAsync(long position, EventBatch batch, int maxCount, bool predictions, CancellationToken cancellationToken) =>
        _database.GuardAsync(async () =>
        {
            var schema = _database.Schema;
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                $"""
                SELECT e.pos, p.id, p.model, p.model_version, p.ts, {ForPredictions("p.numeric_features")}, {ForPredictions("p.categorical_features")},
                       p.label_kind, p.label_number, p.label_category, p.score, p.probabilities, {ForPredictions("p.segment_keys")}, {ForPredictions("p.segment_values")},
                       f.id, f.kind, f.value_kind, f.value_number, f.value_category, f.source, f.ts
                FROM ((SELECT seq AS pos, id AS prediction_id, NULL::uuid AS feedback_id FROM {schema}.predictions
                       WHERE loop = @loop AND seq >= @from AND @predictions ORDER BY seq LIMIT @max)
                      UNION ALL
                      (SELECT join_seq, prediction_id, id FROM {schema}.feedback
                       WHERE loop = @loop AND join_seq >= @from AND kind IN ({LabelKinds}) ORDER BY join_seq LIMIT @max)
                      ORDER BY pos LIMIT @max) AS e
                JOIN {schema}.predictions AS p ON p.loop = @loop AND p.id = e.prediction_id
                LEFT JOIN {schema}.feedback AS f ON f.loop = @loop AND f.prediction_id = e.prediction_id AND f.id = e.feedback_id
                ORDER BY e.pos;
                """,
                connection);
            command.Parameters.AddWithValue("loop", _loop);
            command.Parameters.AddWithValue("from", position);
            command.Parameters.AddWithValue("predictions", predictions);
            command.Parameters.AddWithValue("max", (long)maxCount);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                position = reader.GetInt64(0) + 1;
                if (reader.IsDBNull(14))
                {
                    var prediction = ReadPrediction(reader, 1);
                    batch.Add(LoopEvent.For(prediction, prediction.Timestamp));
                    batch.SetOutcome(batch.Count - 1, EventOutcome.Stored);
                }
                else
                {
                    // A join reports what its prediction served, not its features (the row carries none for it).
                    var predictionId = new PredictionId(reader.GetGuid(1));
                    var feedback = new Feedback(
                        new FeedbackId(reader.GetGuid(14)), predictionId, (FeedbackKind)reader.GetInt16(15), ReadLabel(reader, 16), reader.GetString(19), Time(reader.GetInt64(20)));
                    var output = PredictionOutput.Restore(ReadLabel(reader, 7), reader.GetDouble(10), reader.GetFieldValue<double[]>(11));
                    batch.AddJoin(new JoinedLabel(feedback, new JoinedPrediction(predictionId, reader.GetString(3), Time(reader.GetInt64(4)), output)));
                }
            }

            return position;
        });

    /// <summary>The position the next applied event will take (the loop's next_seq): a read from it returns what is applied from now on.</summary>
    internal Task<long> ReadHeadAsync(CancellationToken cancellationToken) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return (await ReadCountersAsync(connection, $"SELECT {CounterColumns} FROM {_database.Schema}.event_counters WHERE loop = @loop;", cancellationToken).ConfigureAwait(false))?.NextSeq ?? 0;
        });

    /// <summary>A column of the applied-events stream that only a prediction event carries (NULL on a join's row).</summary>
    private static string ForPredictions(string column) => $"CASE WHEN e.feedback_id IS NULL THEN {column} END";

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    private static (short Kind, double? Number, string? Category) Columns(Label label) => label.Kind switch
    {
        LabelKind.Binary or LabelKind.Numeric => ((short)label.Kind, label.AsDouble(), null),
        LabelKind.Categorical => ((short)label.Kind, null, label.AsCategory()),
        _ => ((short)label.Kind, null, null),
    };

    private static Label ReadLabel(NpgsqlDataReader reader, int kind) => (LabelKind)reader.GetInt16(kind) switch
    {
        LabelKind.Binary => Label.Binary(reader.GetDouble(kind + 1) != 0.0),
        LabelKind.Numeric => Label.Numeric(reader.GetDouble(kind + 1)),
        LabelKind.Categorical => Label.Categorical(reader.GetString(kind + 2)),
        LabelKind.None => default,
        var other => throw new InvalidDataException($"A stored label has kind {(int)other}, which is not defined."),
    };

    /// <summary>Reads a prediction from the 13 columns at <paramref name="first"/>: id, model, model_version, ts, numeric_features, categorical_features, label_kind, label_number, label_category, score, probabilities, segment_keys, segment_values.</summary>
    private Prediction ReadPrediction(NpgsqlDataReader reader, int first)
    {
        var keys = reader.GetFieldValue<string[]>(first + 11);
        var values = reader.GetFieldValue<string[]>(first + 12);
        return new Prediction(
            new PredictionId(reader.GetGuid(first)),
            reader.GetString(first + 1),
            reader.GetString(first + 2),
            Time(reader.GetInt64(first + 3)),
            FeatureVector.Create(_schema, reader.GetFieldValue<double[]>(first + 4), reader.GetFieldValue<string?[]>(first + 5)),
            PredictionOutput.Restore(ReadLabel(reader, first + 6), reader.GetDouble(first + 9), reader.GetFieldValue<double[]>(first + 10)),
            keys.Length == 0 ? null : keys.Zip(values).ToDictionary(tag => tag.First, tag => tag.Second, StringComparer.Ordinal));
    }

    /// <summary>Applies a prediction against what is known of its id: stored once, and the feedback that waited for it adopted in arrival order.</summary>
    private EventOutcome ApplyPrediction(Prediction prediction, Dictionary<Guid, Known> known, Changes changes, EventBatch batch, ref Counters counters)
    {
        var state = Of(known, prediction.Id.Value);
        if (state.Stored)
        {
            counters.DuplicatePredictions++;
            return EventOutcome.Duplicate;
        }

        (state.Stored, state.ModelVersion, state.Ticks, state.Output) = (true, prediction.ModelVersion, prediction.Timestamp.UtcTicks, prediction.Output);
        changes.Predictions.Add((prediction, counters.NextSeq++));
        counters.Predictions++;
        for (var i = 0; i < state.OrphanCount; i++)
        {
            var orphan = state.Orphans[i];
            counters.OrphansPending--;
            if (state.FeedbackCount < _maxFeedback)
            {
                changes.Adopted.Add((prediction.Id.Value, orphan.Id.Value, counters.NextSeq++));
                Join(orphan, state, batch, ref counters);
            }
            else
            {
                changes.Deleted.Add((prediction.Id.Value, orphan.Id.Value));
                state.FeedbackIds.Remove(orphan.Id.Value);
                counters.Rejected++;
            }
        }

        if (state.OrphanCount > 0)
        {
            state.Orphans.Clear();
        }

        return EventOutcome.Stored;
    }

    /// <summary>Applies feedback: a duplicate by id, refused at the per-prediction limit, joined to a stored prediction, or left waiting for it.</summary>
    private EventOutcome ApplyFeedback(Feedback feedback, DateTimeOffset receivedAt, Dictionary<Guid, Known> known, Changes changes, EventBatch batch, ref Counters counters, out string? reason)
    {
        reason = null;
        var state = Of(known, feedback.PredictionId.Value);
        if (!state.FeedbackIds.Add(feedback.Id.Value))
        {
            counters.DuplicateFeedback++;
            return EventOutcome.Duplicate;
        }

        if ((state.Stored ? state.FeedbackCount : state.OrphanCount) >= _maxFeedback)
        {
            state.FeedbackIds.Remove(feedback.Id.Value);
            counters.Rejected++;
            reason = state.Stored
                ? $"prediction {feedback.PredictionId} already has {_maxFeedback} feedback events (FeedbackStoreOptions.MaxFeedbackPerPrediction)"
                : $"prediction {feedback.PredictionId} already has {_maxFeedback} orphaned feedback events waiting (FeedbackStoreOptions.MaxFeedbackPerPrediction)";
            return EventOutcome.Rejected;
        }

        changes.Feedback.Add((feedback, receivedAt, counters.NextSeq++, state.Stored ? Applied : Orphan));
        if (!state.Stored)
        {
            state.Orphans.Add(feedback);
            counters.OrphansPending++;
            return EventOutcome.Orphaned;
        }

        Join(feedback, state, batch, ref counters);
        return EventOutcome.Joined;
    }

    private static void Join(Feedback feedback, Known state, EventBatch batch, ref Counters counters)
    {
        state.FeedbackCount++;
        counters.Joined++;
        if (feedback.IsLabel)
        {
            counters.Labelled += state.Labelled ? 0 : 1;
            state.Labelled = true;
            batch.AddJoin(new JoinedLabel(feedback, new JoinedPrediction(feedback.PredictionId, state.ModelVersion!, Time(state.Ticks), state.Output)));
        }
    }

    /// <summary>What a row of <c>id, model_version, ts, label_kind, label_number, label_category, score, probabilities</c> says of a stored prediction (no feedback yet).</summary>
    private static Known ReadStoredPrediction(NpgsqlDataReader reader) => new()
    {
        Stored = true,
        ModelVersion = reader.GetString(1),
        Ticks = reader.GetInt64(2),
        Output = PredictionOutput.Restore(ReadLabel(reader, 3), reader.GetDouble(6), reader.GetFieldValue<double[]>(7)),
    };

    private static Known Of(Dictionary<Guid, Known> known, Guid id)
    {
        if (!known.TryGetValue(id, out var state))
        {
            known[id] = state = new Known();
        }

        return state;
    }

    /// <summary>Reads what the database holds of the predictions the batch refers to: the predictions, and their feedback ids, counts and orphans.</summary>
    /// <param name="connection">The batch's connection.</param>
    /// <param name="batch">The batch.</param>
    /// <param name="trustMemory">
    /// Whether what the writer remembers stands for the database, and an id the batch first mentions in a prediction is
    /// taken for new (the prediction is not looked up; only the orphans that may wait for it, when any wait in the loop).
    /// </param>
    /// <param name="orphansWait">Whether any orphan waits in the loop.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    private async Task<Dictionary<Guid, Known>> ReadKnownAsync(NpgsqlConnection connection, EventBatch batch, bool trustMemory, bool orphansWait, CancellationToken cancellationToken)
    {
        var known = new Dictionary<Guid, Known>(batch.Count);
        List<Guid> predictions = [];
        List<Guid> feedback = [];
        foreach (var item in batch)
        {
            var id = item.Prediction?.Id.Value ?? item.Feedback!.PredictionId.Value;
            if (known.ContainsKey(id))
            {
                continue;
            }

            if (trustMemory && _recent.TryGetValue(id, out var remembered))
            {
                known[id] = remembered;
                continue;
            }

            known[id] = new Known();
            if (!trustMemory || item.Prediction is null)
            {
                predictions.Add(id);
                feedback.Add(id);
            }
            else if (orphansWait)
            {
                feedback.Add(id);
            }
        }

        if (feedback.Count == 0)
        {
            return known;
        }

        // Every id whose prediction is read has its feedback read too (predictions ⊆ feedback).
        var schema = _database.Schema;
        await using var read = new NpgsqlBatch(connection);
        if (predictions.Count > 0)
        {
            Add(read, $"SELECT id, model_version, ts, label_kind, label_number, label_category, score, probabilities FROM {schema}.predictions WHERE loop = @loop AND id = ANY(@ids);", ("ids", predictions.ToArray()));
        }

        Add(read, $"SELECT prediction_id, id, state, kind, value_kind, value_number, value_category, source, ts FROM {schema}.feedback WHERE loop = @loop AND prediction_id = ANY(@ids) ORDER BY seq;", ("ids", feedback.ToArray()));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (predictions.Count > 0)
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                known[reader.GetGuid(0)] = ReadStoredPrediction(reader);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var predictionId = reader.GetGuid(0);
            var state = Of(known, predictionId);
            var id = reader.GetGuid(1);
            state.FeedbackIds.Add(id);
            if (reader.GetInt16(2) == Applied)
            {
                state.FeedbackCount++;
                state.Labelled |= (FeedbackKind)reader.GetInt16(3) is FeedbackKind.GroundTruth or FeedbackKind.HumanCorrection;
            }
            else
            {
                state.Orphans.Add(new Feedback(new FeedbackId(id), new PredictionId(predictionId), (FeedbackKind)reader.GetInt16(3), ReadLabel(reader, 4), reader.GetString(7), Time(reader.GetInt64(8))));
            }
        }

        return known;
    }

    /// <summary>
    /// Writes a batch's decisions: new rows by binary COPY straight into the tables, then in one round trip the orphans
    /// adopted or dropped and the counters. A new row that conflicts (a prediction taken for new that was stored already)
    /// fails the COPY and the whole attempt rolls back, rather than a merge skipping it while the counters claimed it
    /// stored; <see cref="AppendAsync"/> then decides the batch again from the database.
    /// </summary>
    private async Task WriteAsync(NpgsqlConnection connection, Changes changes, Counters counters, CancellationToken cancellationToken)
    {
        var schema = _database.Schema;
        await using var write = new NpgsqlBatch(connection);
        if (changes.Predictions.Count > 0)
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                $"COPY {schema}.predictions (loop, id, seq, model, model_version, ts, numeric_features, categorical_features, label_kind, label_number, label_category, score, probabilities, segment_keys, segment_values) FROM STDIN (FORMAT BINARY)",
                cancellationToken).ConfigureAwait(false))
            {
                foreach (var (prediction, seq) in changes.Predictions)
                {
                    var (kind, number, category) = Columns(prediction.Output.Label);
                    await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(_loop, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.Id.Value, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(seq, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.ModelName, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.ModelVersion, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.Timestamp.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.Features.Numeric.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.Features.Categorical.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(kind, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(number, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(category, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.Output.Score, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(prediction.Output.Probabilities.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    var segmented = prediction.Segments.Count > 0;
                    await copy.WriteAsync(segmented ? prediction.Segments.Keys.ToArray() : [], NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(segmented ? prediction.Segments.Values.ToArray() : [], NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                }

                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

        }

        if (changes.Feedback.Count > 0)
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                $"COPY {schema}.feedback (loop, prediction_id, id, seq, join_seq, state, kind, value_kind, value_number, value_category, source, ts, received_at) FROM STDIN (FORMAT BINARY)",
                cancellationToken).ConfigureAwait(false))
            {
                foreach (var (feedback, receivedAt, seq, state) in changes.Feedback)
                {
                    var (kind, number, category) = Columns(feedback.Value);
                    await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(_loop, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(feedback.PredictionId.Value, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(feedback.Id.Value, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(seq, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(state == Applied ? seq : (long?)null, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(state, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync((short)feedback.Kind, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(kind, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(number, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(category, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(feedback.Source, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(feedback.Timestamp.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(receivedAt.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                }

                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

        }

        if (changes.Adopted.Count > 0)
        {
            Add(
                write,
                $"UPDATE {schema}.feedback AS f SET state = {Applied}, join_seq = r.join_seq FROM unnest(@predictions, @ids, @joins) AS r(prediction_id, id, join_seq) WHERE f.loop = @loop AND f.prediction_id = r.prediction_id AND f.id = r.id;",
                ("predictions", changes.Adopted.Select(r => r.PredictionId).ToArray()),
                ("ids", changes.Adopted.Select(r => r.Id).ToArray()),
                ("joins", changes.Adopted.Select(r => r.JoinSeq).ToArray()));
        }

        if (changes.Deleted.Count > 0)
        {
            Add(
                write,
                $"DELETE FROM {schema}.feedback AS f USING unnest(@predictions, @ids) AS r(prediction_id, id) WHERE f.loop = @loop AND f.prediction_id = r.prediction_id AND f.id = r.id;",
                ("predictions", changes.Deleted.Select(r => r.PredictionId).ToArray()),
                ("ids", changes.Deleted.Select(r => r.Id).ToArray()));
        }

        var (update, values) = CountersUpdate(counters);
        Add(write, update, values);
        await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in a transaction holding the loop's counters row, and writes the counters it returns.</summary>
    private Task<long> UnderCountersAsync(Func<NpgsqlConnection, Counters, Task<(Counters Counters, long Result)>> work, CancellationToken cancellationToken) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var (counters, result) = await work(connection, await LockCountersAsync(connection, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            await WriteCountersAsync(connection, counters, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        });

    /// <summary>Deletes up to <see cref="RetentionChunk"/> of the oldest predictions before <paramref name="cutoff"/> with their feedback; returns how many.</summary>
    private async Task<(Counters Counters, long Result)> DeleteChunkAsync(NpgsqlConnection connection, Counters counters, long cutoff, CancellationToken cancellationToken)
    {
        var schema = _database.Schema;
        await using var command = Command(
            connection,
            $"""
            WITH doomed AS (SELECT id FROM {schema}.predictions WHERE loop = @loop AND ts < @cutoff ORDER BY ts LIMIT {RetentionChunk}),
                 feedback AS (DELETE FROM {schema}.feedback AS f USING doomed AS d WHERE f.loop = @loop AND f.prediction_id = d.id AND f.state = {Applied} RETURNING f.prediction_id, f.kind),
                 predictions AS (DELETE FROM {schema}.predictions AS p USING doomed AS d WHERE p.loop = @loop AND p.id = d.id RETURNING 1)
            SELECT (SELECT count(*) FROM predictions), (SELECT count(DISTINCT prediction_id) FROM feedback WHERE kind IN ({LabelKinds}));
            """,
            [("cutoff", cutoff)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (deleted, labelled) = (reader.GetInt64(0), reader.GetInt64(1));
        counters.Evicted += deleted;
        counters.Labelled -= labelled;
        return (counters, deleted);
    }

    /// <summary>Adds a statement to a batch, with the loop bound as <c>@loop</c>.</summary>
    private void Add(NpgsqlBatch batch, string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddWithValue("loop", _loop);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        batch.BatchCommands.Add(command);
    }

    /// <summary>
    /// The newest matching labelled examples, newest first: the window's predictions through the time index, filtered by
    /// version and segment and limited to <see cref="LabelledWindowQuery.MaxCount"/> in SQL, each with its latest label
    /// (and its latest human correction when corrections come first), so a read costs in proportion to what it returns.
    /// </summary>
    private async Task<List<LabelledExample>> ReadNewestAsync(LabelledWindowQuery query, CancellationToken cancellationToken)
    {
        List<LabelledExample> newest = [];
        if (query.MaxCount == 0)
        {
            return newest;
        }

        var schema = _database.Schema;
        var latest = $"FROM {schema}.feedback AS f WHERE f.loop = p.loop AND f.prediction_id = p.id AND f.state = {Applied}";
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT p.id, p.model, p.model_version, p.ts, p.numeric_features, p.categorical_features, p.label_kind, p.label_number, p.label_category,
                   p.score, p.probabilities, p.segment_keys, p.segment_values,
                   l.value_kind, l.value_number, l.value_category, l.received_at, c.value_kind, c.value_number, c.value_category, c.received_at
            FROM {schema}.predictions AS p
            CROSS JOIN LATERAL (SELECT f.value_kind, f.value_number, f.value_category, f.received_at {latest} AND f.kind IN ({LabelKinds}) ORDER BY f.seq DESC LIMIT 1) AS l
            LEFT JOIN LATERAL (SELECT f.value_kind, f.value_number, f.value_category, f.received_at {latest} AND f.kind = {(int)FeedbackKind.HumanCorrection} ORDER BY f.seq DESC LIMIT 1) AS c ON @correctionsFirst
            WHERE p.loop = @loop AND p.ts >= @from AND p.ts < @to AND (@version::text IS NULL OR p.model_version = @version)
              AND (@segmentKey::text IS NULL OR p.segment_values[array_position(p.segment_keys, @segmentKey)] = @segmentValue)
            ORDER BY p.ts DESC, p.seq DESC
            LIMIT @max;
            """,
            connection);
        command.Parameters.AddWithValue("loop", _loop);
        command.Parameters.AddWithValue("from", query.From?.UtcTicks ?? long.MinValue);
        command.Parameters.AddWithValue("to", query.To?.UtcTicks ?? long.MaxValue);
        command.Parameters.Add(new NpgsqlParameter("version", NpgsqlDbType.Text) { Value = (object?)query.ModelVersion ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("segmentKey", NpgsqlDbType.Text) { Value = (object?)query.Segment?.Key ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("segmentValue", NpgsqlDbType.Text) { Value = (object?)query.Segment?.Value ?? DBNull.Value });
        command.Parameters.AddWithValue("correctionsFirst", query.Precedence == LabelPrecedence.CorrectionsFirst);
        command.Parameters.AddWithValue("max", (long)query.MaxCount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var prediction = ReadPrediction(reader, 0);
            newest.Add(reader.IsDBNull(17)
                ? new LabelledExample(prediction, ReadLabel(reader, 13), Time(reader.GetInt64(16)))
                : new LabelledExample(prediction, ReadLabel(reader, 17), Time(reader.GetInt64(20))));
        }

        return newest;
    }

    /// <summary>
    /// Creates the loop's counters row when missing and locks it for this transaction, in one statement (the upsert's
    /// update takes the row lock; appends of the loop take turns on it), and checks the loop's schema.
    /// </summary>
    private async Task<Counters> LockCountersAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (await ReadCountersAsync(
            connection,
            $"""
            INSERT INTO {_database.Schema}.event_counters (loop, next_seq, predictions, duplicate_predictions, evicted, joined, duplicate_feedback, rejected, orphans_pending, orphans_expired, labelled, schema_fingerprint)
            VALUES (@loop, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, @fingerprint) ON CONFLICT (loop) DO UPDATE SET loop = excluded.loop
            RETURNING {CounterColumns};
            """,
            cancellationToken).ConfigureAwait(false))!.Value;

    private async Task<Counters?> ReadCountersAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("loop", _loop);
        command.Parameters.AddWithValue("fingerprint", _schema.Fingerprint);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (reader.GetString(10) is var fingerprint && !string.Equals(fingerprint, _schema.Fingerprint, StringComparison.Ordinal))
        {
            throw new PostgreSqlStoreException(
                $"{_database.Source} holds loop '{_loop}''s events in another feature schema (fingerprint {fingerprint}); this loop's schema [{_schema}] has fingerprint {_schema.Fingerprint}. Use another loop name or another schema.");
        }

        return new Counters
        {
            NextSeq = reader.GetInt64(0),
            Predictions = reader.GetInt64(1),
            DuplicatePredictions = reader.GetInt64(2),
            Evicted = reader.GetInt64(3),
            Joined = reader.GetInt64(4),
            DuplicateFeedback = reader.GetInt64(5),
            Rejected = reader.GetInt64(6),
            OrphansPending = reader.GetInt64(7),
            OrphansExpired = reader.GetInt64(8),
            Labelled = reader.GetInt64(9),
        };
    }

    private Task<long> WriteCountersAsync(NpgsqlConnection connection, Counters counters, CancellationToken cancellationToken)
    {
        var (sql, values) = CountersUpdate(counters);
        return ExecuteAsync(connection, sql, cancellationToken, values);
    }

    private (string Sql, (string Name, object Value)[] Values) CountersUpdate(Counters c) => (
        $"""
        UPDATE {_database.Schema}.event_counters SET next_seq = @next, predictions = @predictions, duplicate_predictions = @duplicatePredictions, evicted = @evicted,
            joined = @joined, duplicate_feedback = @duplicateFeedback, rejected = @rejected, orphans_pending = @pending, orphans_expired = @expired, labelled = @labelled
        WHERE loop = @loop;
        """,
        [
            ("next", c.NextSeq),
            ("predictions", c.Predictions),
            ("duplicatePredictions", c.DuplicatePredictions),
            ("evicted", c.Evicted),
            ("joined", c.Joined),
            ("duplicateFeedback", c.DuplicateFeedback),
            ("rejected", c.Rejected),
            ("pending", c.OrphansPending),
            ("expired", c.OrphansExpired),
            ("labelled", c.Labelled),
        ]);

    /// <summary>Runs a statement with the loop bound as <c>@loop</c>; returns the rows it changed.</summary>
    private async Task<long> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("loop", _loop);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>The store's counters, as the event_counters row keeps them.</summary>
    private struct Counters
    {
        public long NextSeq;
        public long Predictions;
        public long DuplicatePredictions;
        public long Evicted;
        public long Joined;
        public long DuplicateFeedback;
        public long Rejected;
        public long OrphansPending;
        public long OrphansExpired;
        public long Labelled;
    }

    /// <summary>What a batch knows of one prediction id: whether it is stored (and what a join reports), its feedback ids, how many are applied, and the orphans waiting for it.</summary>
    private sealed class Known
    {
        private HashSet<Guid>? _feedbackIds;
        private List<Feedback>? _orphans;

        public bool Stored;
        public string? ModelVersion;
        public long Ticks;
        public PredictionOutput Output;
        public int FeedbackCount;
        public bool Labelled;

        /// <summary>Gets the ids of the feedback applied to the prediction or waiting for it (created on first use: most predictions of a batch are new).</summary>
        public HashSet<Guid> FeedbackIds => _feedbackIds ??= [];

        /// <summary>Gets the orphans waiting for the prediction (created on first use).</summary>
        public List<Feedback> Orphans => _orphans ??= [];

        public int OrphanCount => _orphans?.Count ?? 0;
    }

    /// <summary>What a batch writes: new rows, and orphans adopted or dropped.</summary>
    private sealed class Changes
    {
        public List<(Prediction Prediction, long Seq)> Predictions { get; } = [];
        public List<(Feedback Feedback, DateTimeOffset ReceivedAt, long Seq, short State)> Feedback { get; } = [];
        public List<(Guid PredictionId, Guid Id, long JoinSeq)> Adopted { get; } = [];
        public List<(Guid PredictionId, Guid Id)> Deleted { get; } = [];
    }
}
