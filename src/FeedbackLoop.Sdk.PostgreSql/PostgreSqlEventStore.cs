using System.Diagnostics;
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
/// Appends of several instances run side by side. The tables' keys decide what two of them race for: a re-sent event, or
/// one two instances received, is stored once (the second insert waits for the first to commit and is refused; its batch
/// is then decided again from the database). A batch is decided in memory, from what this writer remembers of the newest
/// predictions (kept while no other writer applies feedback) and one read of the rest it refers to; its new
/// rows go in by binary COPY, and its counts are added to one of the loop's counter stripes.
/// </para>
/// <para>
/// Every stored prediction and joined label takes a position in the loop's stream: its transaction's id times 2^24 plus
/// its place in the transaction. The stream is read only below the oldest transaction still running, where no position
/// can appear any more, so a reader sees each once and in order. Two instances that store a prediction and a label for it
/// at the same moment may each miss the other's uncommitted row; each append therefore looks again after its commit, and
/// the later of the two joins them (<see cref="ExpireAsync"/> joins whatever a failed look left). For the same reason the
/// per-prediction feedback limit holds for feedback that arrives one batch after another, and may be passed by feedback
/// for one prediction appended by several instances at once.
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

    /// <summary>A position is a transaction id shifted by this many bits plus the event's place in its transaction.</summary>
    private const int PlaceBits = 24;

    /// <summary>How many counter rows a loop's writers spread their counts over, so that their appends seldom wait for each other.</summary>
    private const int Stripes = 16;

    /// <summary>How many stored predictions a writer remembers (the newest), so that their labels join without a read.</summary>
    private const int RecentCapacity = 65_536;

    /// <summary>How many times an append is decided again after racing another writer before it fails.</summary>
    private const int MaxAttempts = 8;

    /// <summary>The longest a read of the stream waits for the transactions that had ended when it began to pass the horizon.</summary>
    private static readonly TimeSpan RunningWait = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan RunningPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>The most predictions one retention transaction deletes.</summary>
    private const int RetentionChunk = 10_000;

    /// <summary>The most waiting orphans one look joins (a transaction has 2^24 places for positions).</summary>
    private const int ReconcileChunk = 1 << 20;

    private const string CountColumns = "predictions, duplicate_predictions, evicted, joined, duplicate_feedback, rejected, orphans_pending, orphans_expired, labelled";

    /// <summary>The stream's horizon: positions below it belong to finished transactions (<c>pg_snapshot_xmin</c>), so no new one can appear there.</summary>
    private static readonly string Horizon = $"(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << {PlaceBits})";

    private static readonly string LabelKinds = $"{(int)FeedbackKind.GroundTruth}, {(int)FeedbackKind.HumanCorrection}";

    private readonly PostgreSqlDatabase _database;
    private readonly string _loop;
    private readonly FeatureSchema _schema;
    private readonly long _orphanTtlTicks;
    private readonly int _maxFeedback;
    private readonly TimeSpan? _retention;
    private readonly short _stripe = (short)((uint)Guid.NewGuid().GetHashCode() % Stripes);
    private volatile bool _loopChecked;

    // Appends through this instance take turns, so the memory below is used by one at a time.
    private readonly SemaphoreSlim _appending = new(1, 1);

    // What this writer knows of the newest stored predictions (insertion order: the oldest goes first), with their
    // feedback, and the loop's counts after its last append: forgotten when another writer applied feedback, retention
    // deleted predictions or the database went back.
    private readonly Dictionary<Guid, Known> _recent = [];
    private readonly Queue<Guid> _recentOrder = new();
    private long _seenPredictions;
    private long _seenEvicted;
    private long _seenJoined = -1;

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
                await CheckLoopAsync(cancellationToken).ConfigureAwait(false);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await AppendOnceAsync(batch, trustMemory: attempt == 1, cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    catch (PostgresException exception) when (attempt < MaxAttempts && exception.SqlState is PostgresErrorCodes.UniqueViolation
                        or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
                    {
                        // An event the memory took for new was stored already (a batch sent again, an id reused, another
                        // instance at the same moment), or another writer joined or expired an orphan the batch adopts or
                        // drops: nothing of the attempt was kept; decide the batch again from everything the database
                        // holds (each such race means another writer committed, so the attempts make progress).
                        batch.ResetOutcomes();
                        Forget();
                    }
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
    /// Takes the loop's lock between appends and retention (a transaction-level advisory lock per schema and loop): appends and
    /// orphan joins hold it shared, so they run side by side, and a retention chunk exclusive, so it never deletes a
    /// prediction that an append is joining feedback to (which would leave the feedback without its prediction).
    /// </summary>
    /// <remarks>A statement of its own, before the transaction's reads: a statement's snapshot is taken before it waits for a lock.</remarks>
    private string AppendsLock(bool shared) => $"SELECT {(shared ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock")}({AppendsLockKey});";

    private string AppendsLockKey => $"hashtextextended('feedbackloop.events.{_database.Schema}.' || @loop, 0)";

    /// <summary>
    /// Waits, at most <see cref="RunningWait"/>, until the stream's horizon passes every transaction that had ended when it
    /// was called (<c>pg_snapshot_xmax</c>), so that a read below the horizon then returns everything committed before.
    /// </summary>
    private static async Task WaitForCommittedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint FROM pg_current_snapshot() AS s;", connection);
        var started = Stopwatch.GetTimestamp();
        long? target = null;
        while (true)
        {
            long oldestRunning;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (oldestRunning, target) = (reader.GetInt64(0), target ?? reader.GetInt64(1));
            }

            if (oldestRunning >= target || Stopwatch.GetElapsedTime(started) > RunningWait)
            {
                return;
            }

            await Task.Delay(RunningPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies a batch in one transaction. With <paramref name="trustMemory"/>, what this writer remembers of the
    /// predictions it stored or read (kept while no other writer applies feedback) is not read again, and a
    /// prediction the memory does not know is taken for new (only the orphans that may wait for it are read): the tables'
    /// keys would refuse a duplicate so missed, and the caller then applies the batch again without trusting the memory.
    /// </summary>
    private async Task AppendOnceAsync(EventBatch batch, bool trustMemory, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var view = await ReadViewAsync(connection, cancellationToken).ConfigureAwait(false);
        var known = await ReadKnownAsync(connection, batch, trustMemory, orphansWait: view.OrphansPending > 0, cancellationToken).ConfigureAwait(false);
        var changes = new Changes(view.Transaction);
        var counts = default(Counts);
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if (item.Prediction is { } prediction)
            {
                batch.SetOutcome(i, ApplyPrediction(prediction, known, changes, batch, ref counts));
            }
            else
            {
                var outcome = ApplyFeedback(item.Feedback!, item.ReceivedAt, known, changes, batch, ref counts, out var reason);
                batch.SetOutcome(i, outcome, reason);
            }
        }

        await WriteAsync(connection, changes, counts, cancellationToken).ConfigureAwait(false);
        foreach (var (id, state) in known)
        {
            Remember(id, state);
        }

        (_seenPredictions, _seenJoined) = (_seenPredictions + counts.Predictions, _seenJoined + counts.Joined);
    }

    /// <summary>
    /// Takes the loop's lock shared and the transaction's id, and reads the loop's counts. The memory is forgotten when
    /// another writer applied feedback since this writer's last append (the loop's joined count moved by more than its own
    /// joins: a remembered prediction may have feedback it does not know), when retention deleted predictions, or when the
    /// loop's count of stored predictions went back (a restore).
    /// </summary>
    private async Task<View> ReadViewAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // The lock in a statement of its own, before the reads' snapshots; both in one round trip.
        await using var batch = new NpgsqlBatch(connection);
        Add(batch, AppendsLock(shared: true));
        Add(
            batch,
            $"""
            SELECT pg_current_xact_id()::text::bigint, coalesce(sum(predictions), 0)::bigint, coalesce(sum(evicted), 0)::bigint,
                   coalesce(sum(joined), 0)::bigint, coalesce(sum(orphans_pending), 0)::bigint
            FROM {_database.Schema}.event_counts WHERE loop = @loop;
            """);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (predictions, evicted, joined) = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        if (joined != _seenJoined || evicted != _seenEvicted || predictions < _seenPredictions)
        {
            Forget();
        }

        (_seenPredictions, _seenEvicted, _seenJoined) = (predictions, evicted, joined);
        return new View(reader.GetInt64(0), reader.GetInt64(4));
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
    /// Orphans past their TTL go in one statement; orphans whose prediction is stored (an append's look after its commit
    /// failed) are joined, up to the feedback limit; predictions past the
    /// retention, with their feedback, go in chunks of <see cref="RetentionChunk"/>, each its own transaction.
    /// </remarks>
    public async ValueTask<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var schema = _database.Schema;
        var expired = await InTransactionAsync(async (connection, counts) =>
        {
            var count = await ExecuteAsync(
                connection,
                $"DELETE FROM {schema}.feedback WHERE loop = @loop AND state = {Orphan} AND received_at <= @cutoff;",
                cancellationToken,
                ("cutoff", now.UtcTicks - _orphanTtlTicks)).ConfigureAwait(false);
            counts.OrphansPending -= count;
            counts.OrphansExpired += count;
            return (counts, count);
        }, cancellationToken).ConfigureAwait(false);

        await _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var join = new NpgsqlBatch(connection);
            AddJoinWaiting(join, predictionIds: null);
            return await join.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        if (_retention is { } retention)
        {
            var cutoff = now.UtcTicks - retention.Ticks;
            while (await InTransactionAsync((connection, counts) => DeleteChunkAsync(connection, counts, cutoff, cancellationToken), cancellationToken).ConfigureAwait(false) == RetentionChunk)
            {
            }
        }

        return (int)expired;
    }

    /// <inheritdoc />
    public async ValueTask<EventStoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(
                connection,
                $"""
                SELECT (SELECT schema_fingerprint FROM {_database.Schema}.event_loops WHERE loop = @loop),
                       {string.Join(", ", CountColumns.Split(", ").Select(column => $"coalesce(sum({column}), 0)::bigint"))}
                FROM {_database.Schema}.event_counts WHERE loop = @loop;
                """,
                []);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!reader.IsDBNull(0))
            {
                CheckFingerprint(reader.GetString(0));
            }

            // The columns in the order of CountColumns, which is the statistics' order.
            return new EventStoreStatistics(
                reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9));
        }).ConfigureAwait(false);
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
    /// Reads the loop's applied events from <paramref name="position"/> on, in the order of their positions (see
    /// <see cref="Coordination.ILoopCoordinator.ReadAppliedAsync"/>): stored predictions by their seq, joined labels by
    /// the seq of their join, below the stream's horizon (one statement, so one snapshot: every position below the
    /// horizon is final, and a later read from the next position misses none). It first waits briefly for the
    /// transactions running when it was called, so that it returns everything committed before it.
    /// </summary>
    internal Task<long> ReadAppliedAsync(long position, EventBatch batch, int maxCount, bool predictions, CancellationToken cancellationToken) =>
        _database.GuardAsync(async () =>
        {
            var schema = _database.Schema;
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await WaitForCommittedAsync(connection, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                $"""
                SELECT e.pos, p.id, p.model, p.model_version, p.ts, {ForPredictions("p.numeric_features")}, {ForPredictions("p.categorical_features")},
                       p.label_kind, p.label_number, p.label_category, p.score, p.probabilities, {ForPredictions("p.segment_keys")}, {ForPredictions("p.segment_values")},
                       f.id, f.kind, f.value_kind, f.value_number, f.value_category, f.source, f.ts
                FROM ((SELECT seq AS pos, id AS prediction_id, NULL::uuid AS feedback_id FROM {schema}.predictions
                       WHERE loop = @loop AND seq >= @from AND seq < {Horizon} AND @predictions ORDER BY seq LIMIT @max)
                      UNION ALL
                      (SELECT join_seq, prediction_id, id FROM {schema}.feedback
                       WHERE loop = @loop AND join_seq >= @from AND join_seq < {Horizon} AND kind IN ({LabelKinds}) ORDER BY join_seq LIMIT @max)
                      ORDER BY pos LIMIT @max) AS e
                LEFT JOIN {schema}.predictions AS p ON p.loop = @loop AND p.id = e.prediction_id
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
                if (reader.IsDBNull(1))
                {
                    // A label whose prediction is gone (deleted outside the library): passed over, so the read moves on.
                    continue;
                }

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

    /// <summary>The stream's horizon: a read from it returns what is applied from now on (and what transactions still running apply).</summary>
    internal Task<long> ReadHeadAsync(CancellationToken cancellationToken) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"SELECT {Horizon};", connection);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
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
    private EventOutcome ApplyPrediction(Prediction prediction, Dictionary<Guid, Known> known, Changes changes, EventBatch batch, ref Counts counts)
    {
        var state = Of(known, prediction.Id.Value);
        if (state.Stored)
        {
            counts.DuplicatePredictions++;
            return EventOutcome.Duplicate;
        }

        (state.Stored, state.ModelVersion, state.Ticks, state.Output) = (true, prediction.ModelVersion, prediction.Timestamp.UtcTicks, prediction.Output);
        changes.Predictions.Add((prediction, changes.NextPosition()));
        counts.Predictions++;
        for (var i = 0; i < state.OrphanCount; i++)
        {
            var orphan = state.Orphans[i];
            counts.OrphansPending--;
            if (state.FeedbackCount < _maxFeedback)
            {
                changes.Adopted.Add((prediction.Id.Value, orphan.Id.Value, changes.NextPosition()));
                Join(orphan, state, batch, ref counts);
            }
            else
            {
                changes.Deleted.Add((prediction.Id.Value, orphan.Id.Value));
                state.FeedbackIds.Remove(orphan.Id.Value);
                counts.Rejected++;
            }
        }

        if (state.OrphanCount > 0)
        {
            state.Orphans.Clear();
        }

        return EventOutcome.Stored;
    }

    /// <summary>Applies feedback: a duplicate by id, refused at the per-prediction limit, joined to a stored prediction, or left waiting for it.</summary>
    private EventOutcome ApplyFeedback(Feedback feedback, DateTimeOffset receivedAt, Dictionary<Guid, Known> known, Changes changes, EventBatch batch, ref Counts counts, out string? reason)
    {
        reason = null;
        var state = Of(known, feedback.PredictionId.Value);
        if (!state.FeedbackIds.Add(feedback.Id.Value))
        {
            counts.DuplicateFeedback++;
            return EventOutcome.Duplicate;
        }

        if ((state.Stored ? state.FeedbackCount : state.OrphanCount) >= _maxFeedback)
        {
            state.FeedbackIds.Remove(feedback.Id.Value);
            counts.Rejected++;
            reason = state.Stored
                ? $"prediction {feedback.PredictionId} already has {_maxFeedback} feedback events (FeedbackStoreOptions.MaxFeedbackPerPrediction)"
                : $"prediction {feedback.PredictionId} already has {_maxFeedback} orphaned feedback events waiting (FeedbackStoreOptions.MaxFeedbackPerPrediction)";
            return EventOutcome.Rejected;
        }

        changes.Feedback.Add((feedback, receivedAt, changes.NextPosition(), state.Stored ? Applied : Orphan));
        if (!state.Stored)
        {
            state.Orphans.Add(feedback);
            counts.OrphansPending++;
            return EventOutcome.Orphaned;
        }

        Join(feedback, state, batch, ref counts);
        return EventOutcome.Joined;
    }

    private static void Join(Feedback feedback, Known state, EventBatch batch, ref Counts counts)
    {
        state.FeedbackCount++;
        counts.Joined++;
        if (feedback.IsLabel)
        {
            counts.Labelled += state.Labelled ? 0 : 1;
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

        // Each id is looked up through the tables' keys, one descent per id (a subquery per id, fenced by OFFSET 0 so that
        // the planner keeps it one): given the ids as a list, a planner without statistics of the loop's tables (new ones,
        // or before their first ANALYZE) scanned every row of the loop and filtered them, at a cost that grew with the tables.
        // Every id whose prediction is read has its feedback read too (predictions ⊆ feedback).
        // One statement, so one snapshot: the predictions and their feedback as they were at one moment (two statements
        // could see a prediction missing, then feedback another instance refused when it stored it).
        var schema = _database.Schema;
        await using var read = Command(
            connection,
            $"""
            SELECT id, model_version, ts, label_kind, label_number, label_category, score, probabilities,
                   NULL::uuid, NULL::smallint, NULL::smallint, NULL::smallint, NULL::float8, NULL::text, NULL::text, NULL::bigint, NULL::bigint AS seq
            FROM unnest(@predictions::uuid[]) AS k(key) CROSS JOIN LATERAL (
                SELECT id, model_version, ts, label_kind, label_number, label_category, score, probabilities
                FROM {schema}.predictions WHERE loop = @loop AND id = k.key OFFSET 0) AS p
            UNION ALL
            SELECT prediction_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, id, state, kind, value_kind, value_number, value_category, source, ts, seq
            FROM unnest(@feedback::uuid[]) AS k(key) CROSS JOIN LATERAL (
                SELECT prediction_id, id, state, kind, value_kind, value_number, value_category, source, ts, seq
                FROM {schema}.feedback WHERE loop = @loop AND prediction_id = k.key OFFSET 0) AS f
            ORDER BY seq NULLS FIRST;
            """,
            [("predictions", predictions.ToArray()), ("feedback", feedback.ToArray())]);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var predictionId = reader.GetGuid(0);
            if (reader.IsDBNull(8))
            {
                known[predictionId] = ReadStoredPrediction(reader);
                continue;
            }

            var state = Of(known, predictionId);
            var id = reader.GetGuid(8);
            state.FeedbackIds.Add(id);
            if (reader.GetInt16(9) == Applied)
            {
                state.FeedbackCount++;
                state.Labelled |= (FeedbackKind)reader.GetInt16(10) is FeedbackKind.GroundTruth or FeedbackKind.HumanCorrection;
            }
            else
            {
                state.Orphans.Add(new Feedback(new FeedbackId(id), new PredictionId(predictionId), (FeedbackKind)reader.GetInt16(10), ReadLabel(reader, 11), reader.GetString(14), Time(reader.GetInt64(15))));
            }
        }

        return known;
    }

    /// <summary>
    /// Writes a batch's decisions and commits: new rows by binary COPY straight into the tables, then in one round trip the
    /// orphans adopted or dropped, the counts, the commit, and a look at orphans that raced the batch. A new row that
    /// conflicts (a prediction taken for new that was stored already) fails the COPY and the whole attempt rolls back,
    /// rather than a merge skipping it while the counts claimed it stored; so does an orphan the batch adopts or drops that
    /// another writer joined or expired meanwhile. <see cref="AppendAsync"/> then decides the batch again from the database.
    /// </summary>
    private async Task WriteAsync(NpgsqlConnection connection, Changes changes, Counts counts, CancellationToken cancellationToken)
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
                    await copy.WriteAsync(prediction.Output.Values.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
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

        // An orphan adopted or dropped that another writer joined or expired meanwhile fails the transaction (SQLSTATE
        // 40001, from orphan_changed), so that the batch is decided again.
        if (changes.Adopted.Count > 0)
        {
            Add(
                write,
                $"""
                WITH changed AS (UPDATE {schema}.feedback AS f SET state = {Applied}, join_seq = r.join_seq
                                 FROM unnest(@predictions, @ids, @joins) AS r(prediction_id, id, join_seq)
                                 WHERE f.loop = @loop AND f.prediction_id = r.prediction_id AND f.id = r.id AND f.state = {Orphan} RETURNING 1)
                SELECT {schema}.orphan_changed() WHERE (SELECT count(*) FROM changed) <> @expected;
                """,
                ("predictions", changes.Adopted.Select(r => r.PredictionId).ToArray()),
                ("ids", changes.Adopted.Select(r => r.Id).ToArray()),
                ("joins", changes.Adopted.Select(r => r.JoinSeq).ToArray()),
                ("expected", (long)changes.Adopted.Count));
        }

        if (changes.Deleted.Count > 0)
        {
            Add(
                write,
                $"""
                WITH changed AS (DELETE FROM {schema}.feedback AS f USING unnest(@predictions, @ids) AS r(prediction_id, id)
                                 WHERE f.loop = @loop AND f.prediction_id = r.prediction_id AND f.id = r.id AND f.state = {Orphan} RETURNING 1)
                SELECT {schema}.orphan_changed() WHERE (SELECT count(*) FROM changed) <> @expected;
                """,
                ("predictions", changes.Deleted.Select(r => r.PredictionId).ToArray()),
                ("ids", changes.Deleted.Select(r => r.Id).ToArray()),
                ("expected", (long)changes.Deleted.Count));
        }

        // The counts last, so the stripe's row is held only until the commit, which follows in the same round trip, and
        // after it the look at the orphans of the predictions the batch stored and of the feedback it left waiting: an
        // append storing a prediction and another storing a label for it at the same moment may each miss the other's
        // uncommitted row, but each look follows its own append's commit, so they cannot both come before the other's
        // commit, and one of them sees both rows and joins them. The look asks first, in the commit's round trip, whether
        // such an orphan waits (seldom: only when appends raced), and joins in a round trip of its own only then, so that
        // the join's statement is planned only when it has work.
        Add(write, CountsUpsert, CountValues(counts));
        Add(write, "COMMIT;");
        var committed = write.BatchCommands.Count;
        Guid[] touched = [.. changes.Predictions.Select(row => row.Prediction.Id.Value), .. changes.Feedback.Where(row => row.State == Orphan).Select(row => row.Feedback.PredictionId.Value)];
        if (touched.Length > 0)
        {
            Add(write, $"SELECT EXISTS (SELECT 1 {JoinableOrphans} AND f.prediction_id = ANY(@ids));", ("ids", touched));
        }

        var raced = false;
        try
        {
            // Once sent, the commit is not cancelled: a retry of a batch that did commit would report every event a duplicate.
            // The question's answer is the batch's one row (the statements before it return none, or fail the batch).
            await using var reader = await write.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
            do
            {
                raced |= await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) && reader.GetBoolean(0);
            }
            while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false));
        }
        catch (NpgsqlException) when (write.BatchCommands[committed - 1].StatementType != StatementType.Unknown)
        {
            // The COMMIT completed (a statement the server skipped or never reached stays Unknown); only the question
            // failed, or the connection went after the commit: what the look would have joined waits for the next ExpireAsync.
        }

        if (raced)
        {
            try
            {
                await using var look = new NpgsqlBatch(connection);
                AddJoinWaiting(look, touched);
                await look.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // The batch is committed; what the look would have joined waits for the next ExpireAsync.
            }
        }
    }

    /// <summary>The orphans (<c>f</c>) whose prediction is stored: an instance stored it at the same moment as another the feedback.</summary>
    private string JoinableOrphans =>
        $"FROM {_database.Schema}.feedback AS f WHERE f.loop = @loop AND f.state = {Orphan} AND EXISTS (SELECT 1 FROM {_database.Schema}.predictions AS p WHERE p.loop = @loop AND p.id = f.prediction_id)";

    /// <summary>Runs <paramref name="work"/> in a transaction and adds the counts it returns to this writer's stripe.</summary>
    private Task<long> InTransactionAsync(Func<NpgsqlConnection, Counts, Task<(Counts Counts, long Result)>> work, CancellationToken cancellationToken) =>
        _database.GuardAsync(async () =>
        {
            await CheckLoopAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var (counts, result) = await work(connection, default).ConfigureAwait(false);
            await ExecuteAsync(connection, CountsUpsert, cancellationToken, CountValues(counts)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        });

    /// <summary>
    /// Joins orphans whose prediction is stored (an instance stored it at the same moment as another the feedback, and
    /// neither saw the other's row), in the order they arrived, up to the feedback limit, refuses the rest, and adds the
    /// counts to this writer's stripe. Orphans another call is joining are skipped (it joins them). Adds two statements to
    /// a batch, outside any transaction: the loop's lock shared (for a look, only if it is free at once), in a statement of
    /// its own (a statement's snapshot is taken before it waits), and the join; the batch's implicit transaction holds the
    /// lock until the join commits.
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <param name="predictionIds">The predictions whose orphans to look at; <see langword="null"/> for every orphan of the loop.</param>
    private void AddJoinWaiting(NpgsqlBatch batch, Guid[]? predictionIds)
    {
        var schema = _database.Schema;
        var applied = $"FROM {schema}.feedback AS a WHERE a.loop = @loop AND a.prediction_id = c.prediction_id AND a.state = {Applied}";

        // A look after a commit does not wait for the lock (a retention chunk may hold it or wait for it): without it, it
        // joins nothing, and ExpireAsync, which waits, joins what it left.
        Add(batch, predictionIds is null ? AppendsLock(shared: true) : $"SELECT set_config('feedbackloop.look', pg_try_advisory_xact_lock_shared({AppendsLockKey})::text, true);");
        Add(
            batch,
            $"""
            WITH candidates AS (
                SELECT f.prediction_id, f.id, f.kind, f.seq {JoinableOrphans}
                  AND EXISTS (SELECT 1 FROM {schema}.feedback AS o WHERE o.loop = @loop AND o.state = {Orphan})
                  {(predictionIds is null ? "" : "AND f.prediction_id = ANY(@ids) AND current_setting('feedbackloop.look') = 'true'")}
                ORDER BY f.prediction_id, f.id LIMIT {ReconcileChunk}
                FOR UPDATE OF f SKIP LOCKED),
                 waiting AS (
                SELECT c.prediction_id, c.id, c.kind,
                       row_number() OVER (PARTITION BY c.prediction_id ORDER BY c.seq) AS rank, row_number() OVER (ORDER BY c.seq) - 1 AS place,
                       (SELECT count(*) {applied}) AS applied, EXISTS (SELECT 1 {applied} AND a.kind IN ({LabelKinds})) AS labelled
                FROM candidates AS c),
                 joined AS (
                UPDATE {schema}.feedback AS f SET state = {Applied}, join_seq = (pg_current_xact_id()::text::bigint << {PlaceBits}) + w.place
                FROM waiting AS w
                WHERE w.applied + w.rank <= @max AND f.loop = @loop AND f.prediction_id = w.prediction_id AND f.id = w.id
                RETURNING f.prediction_id, f.kind, w.labelled),
                 refused AS (
                DELETE FROM {schema}.feedback AS f USING waiting AS w
                WHERE w.applied + w.rank > @max AND f.loop = @loop AND f.prediction_id = w.prediction_id AND f.id = w.id
                RETURNING 1),
                 totals AS (
                SELECT (SELECT count(*) FROM joined) AS joined, (SELECT count(DISTINCT prediction_id) FROM joined WHERE kind IN ({LabelKinds}) AND NOT labelled) AS labelled,
                       (SELECT count(*) FROM refused) AS refused),
                 counted AS (
                INSERT INTO {schema}.event_counts AS c (loop, stripe, {CountColumns})
                SELECT @loop, @stripe, 0, 0, 0, t.joined, 0, t.refused, -(t.joined + t.refused), 0, t.labelled FROM totals AS t WHERE t.joined + t.refused > 0
                ON CONFLICT (loop, stripe) DO UPDATE SET {CountsAdded})
            SELECT joined FROM totals;
            """,
            ("max", (long)_maxFeedback),
            ("stripe", _stripe),
            ("ids", (object?)predictionIds ?? Array.Empty<Guid>()));
    }

    /// <summary>Deletes up to <see cref="RetentionChunk"/> of the oldest predictions before <paramref name="cutoff"/> with their feedback; returns how many.</summary>
    private async Task<(Counts Counts, long Result)> DeleteChunkAsync(NpgsqlConnection connection, Counts counts, long cutoff, CancellationToken cancellationToken)
    {
        var schema = _database.Schema;
        await ExecuteAsync(connection, AppendsLock(shared: false), cancellationToken).ConfigureAwait(false);
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
        counts.Evicted += deleted;
        counts.Labelled -= labelled;
        return (counts, deleted);
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
    /// Records the loop's feature schema on its first use and checks it on this instance's first write: a loop's events
    /// are kept in one schema.
    /// </summary>
    private async Task CheckLoopAsync(CancellationToken cancellationToken)
    {
        if (_loopChecked)
        {
            return;
        }

        var schema = _database.Schema;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"""
            WITH created AS (INSERT INTO {schema}.event_loops (loop, schema_fingerprint) VALUES (@loop, @fingerprint) ON CONFLICT (loop) DO NOTHING RETURNING schema_fingerprint)
            SELECT schema_fingerprint FROM created UNION ALL SELECT schema_fingerprint FROM {schema}.event_loops WHERE loop = @loop;
            """,
            [("fingerprint", _schema.Fingerprint)]);

        // An instance that created the row at the same moment makes the insert do nothing, and the statement's snapshot,
        // taken before that commit, not see the row: the next statement does.
        string? fingerprint;
        while ((fingerprint = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)) is null)
        {
        }

        CheckFingerprint(fingerprint);
        _loopChecked = true;
    }

    private void CheckFingerprint(string fingerprint)
    {
        if (!string.Equals(fingerprint, _schema.Fingerprint, StringComparison.Ordinal))
        {
            throw new PostgreSqlStoreException(
                $"{_database.Source} holds loop '{_loop}''s events in another feature schema (fingerprint {fingerprint}); this loop's schema [{_schema}] has fingerprint {_schema.Fingerprint}. Use another loop name or another schema.");
        }
    }

    /// <summary>Adds counts to this writer's stripe of the loop's counters.</summary>
    private string CountsUpsert => $"""
        INSERT INTO {_database.Schema}.event_counts AS c (loop, stripe, {CountColumns})
        VALUES (@loop, @stripe, @predictions, @duplicatePredictions, @evicted, @joined, @duplicateFeedback, @rejected, @pending, @expired, @labelled)
        ON CONFLICT (loop, stripe) DO UPDATE SET {CountsAdded};
        """;

    /// <summary>The conflict clause of an insert into <c>event_counts AS c</c> that adds the inserted counts to the stripe's.</summary>
    private static string CountsAdded => string.Join(", ", CountColumns.Split(", ").Select(column => $"{column} = c.{column} + excluded.{column}"));

    private (string Name, object Value)[] CountValues(Counts c) =>
    [
        ("stripe", _stripe),
        ("predictions", c.Predictions),
        ("duplicatePredictions", c.DuplicatePredictions),
        ("evicted", c.Evicted),
        ("joined", c.Joined),
        ("duplicateFeedback", c.DuplicateFeedback),
        ("rejected", c.Rejected),
        ("pending", c.OrphansPending),
        ("expired", c.OrphansExpired),
        ("labelled", c.Labelled),
    ];

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

    /// <summary>The store's counters, or what one transaction adds to them.</summary>
    private struct Counts
    {
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

    /// <summary>What an append reads first: its transaction's id, and how many orphans wait in the loop.</summary>
    private readonly record struct View(long Transaction, long OrphansPending);

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

    /// <summary>What a batch writes: new rows, and orphans adopted or dropped, each applied event at its position.</summary>
    private sealed class Changes(long transaction)
    {
        private long _place;

        public List<(Prediction Prediction, long Seq)> Predictions { get; } = [];
        public List<(Feedback Feedback, DateTimeOffset ReceivedAt, long Seq, short State)> Feedback { get; } = [];
        public List<(Guid PredictionId, Guid Id, long JoinSeq)> Adopted { get; } = [];
        public List<(Guid PredictionId, Guid Id)> Deleted { get; } = [];

        /// <summary>The next position of the transaction: its id times 2^24 plus the event's place in it.</summary>
        /// <exception cref="ArgumentException">The batch applies more events than a transaction has places for.</exception>
        public long NextPosition() => _place < 1L << PlaceBits
            ? (transaction << PlaceBits) + _place++
            : throw new ArgumentException($"A batch applies at most {1 << PlaceBits} events in one transaction; append it in smaller batches.", "batch");
    }
}
