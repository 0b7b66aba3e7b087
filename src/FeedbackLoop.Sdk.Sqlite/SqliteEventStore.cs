using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FeedbackLoop.Models;
using FeedbackLoop.Storage;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Sqlite;

/// <summary>
/// A durable event store and labelled-window source on a SQLite file: every prediction and feedback event of one loop,
/// the joins between them, orphans waiting for their prediction, and the store's counters, committed batch by batch.
/// </summary>
/// <remarks>
/// <para>
/// Each <see cref="AppendAsync"/> is one immediate transaction: a batch is applied whole or, when it throws, not at all,
/// so the loop's retry reports first-time outcomes. Predictions are keyed by (loop, id) and feedback by (loop,
/// prediction, id): a re-delivered event is a duplicate for as long as its prediction is kept, also after a restart.
/// Orphans wait in the file until their prediction arrives or their TTL passes; they are not bounded in number (the
/// TTL bounds them). Predictions are kept until <c>retainFor</c> passes (the cycle's <see cref="ExpireAsync"/> deletes
/// older ones and their feedback), or forever without it.
/// </para>
/// <para>
/// Ingest writes each event once: a prediction is one insert, feedback one insert (a join is the feedback row keyed by
/// its prediction; nothing is updated). What a join reports (the prediction's version, time and output, how much
/// feedback it has) comes from the writer's memory of the predictions it stored recently, or from one indexed read for
/// an older one. Ids are stored in network byte order, so the SDK's version-7 ids reach the indexes in time order and
/// inserts land on their last pages.
/// </para>
/// <para>
/// Labelled windows are read on a connection of their own, from the last committed state (WAL readers do not block the
/// writer), walking the predictions of the window's time range newest first through the time index and joining their
/// label rows: a window costs in proportion to the predictions in its range, not to the table. Thread-safe: appends and
/// expiries take turns on the one writer connection.
/// </para>
/// </remarks>
public sealed class SqliteEventStore : IEventStore, ILabelledWindowSource, IDisposable
{
    /// <summary>The state of a feedback row that is applied to its prediction.</summary>
    private const int Applied = 0;

    /// <summary>The state of a feedback row waiting for its prediction.</summary>
    private const int Orphan = 1;

    /// <summary>The feedback kinds that are labels (<see cref="Feedback.IsLabel"/>), as a SQL list.</summary>
    private static readonly string LabelKinds = $"{(int)FeedbackKind.GroundTruth}, {(int)FeedbackKind.HumanCorrection}";

    /// <summary>How many recently stored predictions the writer remembers for joins (a few megabytes).</summary>
    private const int RecentCapacity = 1 << 16;

    private readonly SqliteDatabase _database;
    private readonly string _loop;
    private readonly FeatureSchema _schema;
    private readonly long _orphanTtlTicks;
    private readonly int _maxFeedback;
    private readonly TimeSpan? _retention;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private SqliteConnection? _connection;
    private Statements? _statements;
    private bool _disposed;

    /// <summary>Initializes a store of one loop's events in a SQLite file (created and migrated on first use).</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file (<c>Data Source=feedbackloop.db</c>).</param>
    /// <param name="loopName">The loop whose events the store keeps; several loops may share one file.</param>
    /// <param name="schema">The schema every stored prediction follows.</param>
    /// <param name="options">The orphan TTL and the most feedback per prediction (the capacities of the in-memory store do not apply: the file holds everything until <paramref name="retainFor"/>).</param>
    /// <param name="retainFor">How long predictions and their feedback are kept, counted from the prediction's time; <see langword="null"/> to keep them.</param>
    /// <exception cref="ArgumentException">The connection string names no file, or the loop name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The TTL, the feedback limit or the retention is not positive.</exception>
    public SqliteEventStore(string connectionString, string loopName, FeatureSchema schema, FeedbackStoreOptions? options = null, TimeSpan? retainFor = null)
        : this(new SqliteDatabase(connectionString, SqliteOptions.DefaultBusyTimeout), loopName, schema, options ?? new FeedbackStoreOptions(), retainFor)
    {
    }

    internal SqliteEventStore(SqliteDatabase database, string loopName, FeatureSchema schema, FeedbackStoreOptions options, TimeSpan? retainFor)
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
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            var statements = _statements!;
            var committed = false;
            try
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var counters = ReadCounters(connection, transaction);
                statements.Begin(batch, counters.NextSeq);
                for (var i = 0; i < batch.Count; i++)
                {
                    var item = batch[i];
                    if (item.Prediction is { } prediction)
                    {
                        batch.SetOutcome(i, statements.Prediction(prediction, ref counters));
                    }
                    else
                    {
                        var outcome = statements.Feedback(item.Feedback!, item.ReceivedAt, ref counters, out var reason);
                        batch.SetOutcome(i, outcome, reason);
                    }
                }

                WriteCounters(connection, transaction, counters);
                transaction.Commit();
                statements.Committed(counters.NextSeq);
                committed = true;
            }
            catch (SqliteException exception)
            {
                throw _database.Explain(exception);
            }
            finally
            {
                if (!committed)
                {
                    // Rolled back: what the writer remembered of this batch was never stored.
                    statements.Forget();
                }
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            int expired;
            try
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var counters = ReadCounters(connection, transaction);
                expired = Execute(connection, transaction, $"DELETE FROM feedback WHERE loop = $loop AND state = {Orphan} AND received_at <= $cutoff;", ("$cutoff", now.UtcTicks - _orphanTtlTicks));
                counters.OrphansPending -= expired;
                counters.OrphansExpired += expired;
                var evicted = 0;
                if (_retention is { } retention)
                {
                    var cutoff = ("$cutoff", now.UtcTicks - retention.Ticks);
                    var labelled = (long)SqliteCommands.Scalar(
                        connection,
                        transaction,
                        $"""
                        SELECT count(*) FROM predictions AS p WHERE p.loop = $loop AND p.ts < $cutoff AND EXISTS (
                            SELECT 1 FROM feedback AS f WHERE f.loop = p.loop AND f.prediction_id = p.id AND f.state = {Applied} AND f.kind IN ({LabelKinds}));
                        """,
                        ("$loop", _loop),
                        cutoff)!;
                    Execute(connection, transaction, $"DELETE FROM feedback WHERE loop = $loop AND state = {Applied} AND prediction_id IN (SELECT id FROM predictions WHERE loop = $loop AND ts < $cutoff);", cutoff);
                    evicted = Execute(connection, transaction, "DELETE FROM predictions WHERE loop = $loop AND ts < $cutoff;", cutoff);
                    counters.Evicted += evicted;
                    counters.Labelled -= labelled;
                }

                if (evicted > 0)
                {
                    // A deleted prediction must not be joined from any writer's memory: moving the sequence on tells
                    // every writer of this loop (this one included) to forget what it remembers. (Expired orphans
                    // belong to predictions that are not stored, so no memory holds them.)
                    counters.NextSeq++;
                }

                WriteCounters(connection, transaction, counters);
                transaction.Commit();
            }
            catch (SqliteException exception)
            {
                throw _database.Explain(exception);
            }

            return expired;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<EventStoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = _database.Guard(() => ReadCounters(Writer(), transaction: null));
            return new EventStoreStatistics(c.Predictions, c.DuplicatePredictions, c.Evicted, c.Joined, c.DuplicateFeedback, c.Rejected, c.OrphansPending, c.OrphansExpired, c.Labelled);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LabelledExample> ReadLabelledAsync(LabelledWindowQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        var examples = _database.Guard(() => ReadNewest(query, cancellationToken));
        for (var i = examples.Count - 1; i >= 0; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return examples[i];
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Closes the writer connection, after an append or expiry in flight has finished; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        // The semaphore itself is kept: a call racing with disposal must still be able to enter and be refused.
        _writer.Wait();
        try
        {
            _disposed = true;
            _statements?.Dispose();
            _statements = null;
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// A window's predictions newest first through the time index, each followed by its applied label rows (the cross
    /// join keeps the predictions the outer loop, so rows come in index order and no sort is needed).
    /// </summary>
    internal static readonly string LabelledWindowSql = $"""
        SELECT p.id, p.model, p.model_version, p.ts, p.features, p.output, p.segments, f.kind, f.value, f.received_at, f.seq
        FROM predictions AS p INDEXED BY predictions_by_time
        CROSS JOIN feedback AS f ON f.loop = p.loop AND f.prediction_id = p.id AND f.state = {Applied} AND f.kind IN ({LabelKinds})
        WHERE p.loop = $loop AND p.ts >= $from AND p.ts < $to AND ($version IS NULL OR p.model_version = $version)
        ORDER BY p.ts DESC, p.seq DESC;
        """;

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>
    /// The newest matching labelled examples, newest first: the predictions of the time range, newest first through the
    /// time index, each with its applied label feedback (its rows arrive together, the latest by sequence wins).
    /// </summary>
    private List<LabelledExample> ReadNewest(LabelledWindowQuery query, CancellationToken cancellationToken)
    {
        List<LabelledExample> newest = [];
        if (query.MaxCount == 0)
        {
            return newest;
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = LabelledWindowSql;
        command.Parameters.AddWithValue("$loop", _loop);
        command.Parameters.AddWithValue("$from", query.From?.UtcTicks ?? long.MinValue);
        command.Parameters.AddWithValue("$to", query.To?.UtcTicks ?? long.MaxValue);
        command.Parameters.AddWithValue("$version", (object?)query.ModelVersion ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var more = reader.Read();
        while (more && newest.Count < query.MaxCount)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = (byte[])reader[0];
            var prediction = new Prediction(
                new PredictionId(new Guid(id, bigEndian: true)),
                reader.GetString(1),
                reader.GetString(2),
                Time(reader.GetInt64(3)),
                EventCodec.DecodeFeatures(_schema, (byte[])reader[4]),
                EventCodec.DecodeOutput((byte[])reader[5]),
                EventCodec.DecodeSegments(reader.IsDBNull(6) ? [] : (byte[])reader[6]));

            // The prediction's label rows: the latest label, and the latest human correction.
            (long Seq, byte[] Value, long At) label = (long.MinValue, [], 0), correction = label;
            do
            {
                var row = (reader.GetInt64(10), (byte[])reader[8], reader.GetInt64(9));
                if (row.Item1 > label.Seq)
                {
                    label = row;
                }

                if ((FeedbackKind)reader.GetInt32(7) == FeedbackKind.HumanCorrection && row.Item1 > correction.Seq)
                {
                    correction = row;
                }
            }
            while ((more = reader.Read()) && ((byte[])reader[0]).AsSpan().SequenceEqual(id));

            if (query.Segment is { } segment && (!prediction.Segments.TryGetValue(segment.Key, out var value) || !string.Equals(value, segment.Value, StringComparison.Ordinal)))
            {
                continue;
            }

            var chosen = query.Precedence == LabelPrecedence.CorrectionsFirst && correction.Seq != long.MinValue ? correction : label;
            newest.Add(new LabelledExample(prediction, EventCodec.DecodeLabel(chosen.Value), Time(chosen.At)));
        }

        return newest;
    }

    /// <summary>Takes the writer's turn (appends, expiries and counter reads share its connection); refused once disposed.</summary>
    private async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_disposed)
        {
            _writer.Release();
            throw new ObjectDisposedException(nameof(SqliteEventStore));
        }
    }

    /// <summary>The writer connection, opened (and the counters read) on first use.</summary>
    private SqliteConnection Writer()
    {
        if (_connection is { } open)
        {
            return open;
        }

        var connection = _database.Open();
        try
        {
            // Checks the schema the file holds for this loop before the first write.
            _database.Guard(() => ReadCounters(connection, transaction: null));
            _statements = new Statements(this, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return _connection = connection;
    }

    /// <summary>
    /// Reads the loop's counters and checks that the file holds this loop's events in this store's schema: a file written
    /// with another schema for the loop would be misread. Appends re-read them inside their transaction, so a second
    /// writer of the same loop (an old and a new instance overlapping in a deploy) cannot lose the other's counts.
    /// </summary>
    private Counters ReadCounters(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT next_seq, predictions, duplicate_predictions, evicted, joined, duplicate_feedback, rejected, orphans_pending, orphans_expired, labelled, schema_fingerprint
            FROM event_counters WHERE loop = $loop;
            """;
        command.Parameters.AddWithValue("$loop", _loop);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return default;
        }

        if (reader.GetString(10) is var fingerprint && !string.Equals(fingerprint, _schema.Fingerprint, StringComparison.Ordinal))
        {
            throw new SqliteStoreException(
                $"'{_database.Source}' holds loop '{_loop}''s events in another feature schema (fingerprint {fingerprint}); this loop's schema [{_schema}] has fingerprint {_schema.Fingerprint}. Use another loop name or another file.");
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

    private void WriteCounters(SqliteConnection connection, SqliteTransaction transaction, in Counters c) =>
        Execute(
            connection,
            transaction,
            """
            INSERT INTO event_counters (loop, next_seq, predictions, duplicate_predictions, evicted, joined, duplicate_feedback, rejected, orphans_pending, orphans_expired, labelled, schema_fingerprint)
            VALUES ($loop, $next, $predictions, $duplicatePredictions, $evicted, $joined, $duplicateFeedback, $rejected, $pending, $expired, $labelled, $fingerprint)
            ON CONFLICT (loop) DO UPDATE SET next_seq = excluded.next_seq, predictions = excluded.predictions,
                duplicate_predictions = excluded.duplicate_predictions, evicted = excluded.evicted, joined = excluded.joined,
                duplicate_feedback = excluded.duplicate_feedback, rejected = excluded.rejected, orphans_pending = excluded.orphans_pending,
                orphans_expired = excluded.orphans_expired, labelled = excluded.labelled;
            """,
            ("$next", c.NextSeq),
            ("$predictions", c.Predictions),
            ("$duplicatePredictions", c.DuplicatePredictions),
            ("$evicted", c.Evicted),
            ("$joined", c.Joined),
            ("$duplicateFeedback", c.DuplicateFeedback),
            ("$rejected", c.Rejected),
            ("$pending", c.OrphansPending),
            ("$expired", c.OrphansExpired),
            ("$labelled", c.Labelled),
            ("$fingerprint", _schema.Fingerprint));

    private int Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters) =>
        SqliteCommands.Execute(connection, transaction, sql, [("$loop", _loop), .. parameters]);

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

    /// <summary>What a join needs of a stored prediction, and how much feedback it has.</summary>
    private struct Stored
    {
        public string ModelVersion;
        public long Ticks;
        public PredictionOutput Output;
        public int FeedbackCount;
        public bool Labelled;
    }

    /// <summary>
    /// The writer's prepared statements and the rules that apply a batch's events with them, with the writer's memory of
    /// the predictions it stored recently (<see cref="RecentCapacity"/>, oldest forgotten first). The memory is only
    /// trusted while this writer is the loop's only one: a batch that finds the loop's sequence moved by another writer
    /// (or by an expiry) starts from an empty memory, and a batch that fails forgets what it added.
    /// </summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteEventStore _store;
        private readonly SqliteStatement _insertPrediction;
        private readonly SqliteStatement _insertFeedback;
        private readonly SqliteStatement _findPrediction;
        private readonly SqliteStatement _feedbackOf;
        private readonly SqliteStatement _feedbackExists;
        private readonly SqliteStatement _readOrphans;
        private readonly SqliteStatement _adopt;
        private readonly SqliteStatement _delete;
        private readonly EventCodec.Writer _codec = new();
        private readonly Dictionary<Guid, Stored> _recent = [];
        private readonly Queue<Guid> _recentOrder = new();
        private long _trustedSeq = -1;
        private EventBatch? _batch;

        /// <summary>The entry <see cref="Find"/> returns for a prediction that is not stored.</summary>
        private Stored _missing;

        public Statements(SqliteEventStore store, SqliteConnection connection)
        {
            _store = store;
            List<SqliteStatement> prepared = [];
            SqliteStatement Prepare(string sql)
            {
                var statement = new SqliteStatement(connection, sql);
                prepared.Add(statement);
                statement.Bind(1, store._loop);
                return statement;
            }

            try
            {
                _insertPrediction = Prepare("INSERT OR IGNORE INTO predictions (loop, id, seq, model, model_version, ts, features, output, segments) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);");
                _insertFeedback = Prepare("INSERT OR IGNORE INTO feedback (loop, prediction_id, id, seq, state, kind, value, source, ts, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10);");
                _findPrediction = Prepare("SELECT model_version, ts, output FROM predictions WHERE loop = ?1 AND id = ?2;");
                _feedbackOf = Prepare($"SELECT count(*), coalesce(max(kind IN ({LabelKinds})), 0) FROM feedback WHERE loop = ?1 AND prediction_id = ?2;");
                _feedbackExists = Prepare("SELECT count(*) FROM feedback WHERE loop = ?1 AND prediction_id = ?2 AND id = ?3;");
                _readOrphans = Prepare($"SELECT id, kind, value, source, ts FROM feedback WHERE loop = ?1 AND prediction_id = ?2 AND state = {Orphan} ORDER BY seq;");
                _adopt = Prepare($"UPDATE feedback SET state = {Applied} WHERE loop = ?1 AND prediction_id = ?2 AND id = ?3;");
                _delete = Prepare("DELETE FROM feedback WHERE loop = ?1 AND prediction_id = ?2 AND id = ?3;");
            }
            catch
            {
                prepared.ForEach(statement => statement.Dispose());
                throw;
            }
        }

        /// <summary>Starts a batch: joins are reported through it; a sequence another writer moved empties the memory.</summary>
        public void Begin(EventBatch batch, long nextSeq)
        {
            _batch = batch;
            if (nextSeq != _trustedSeq)
            {
                Forget();
            }
        }

        /// <summary>The batch committed: the memory matches the file up to this sequence.</summary>
        public void Committed(long nextSeq) => _trustedSeq = nextSeq;

        /// <summary>Forgets every remembered prediction (they are read again on demand).</summary>
        public void Forget()
        {
            _recent.Clear();
            _recentOrder.Clear();
            _trustedSeq = -1;
        }

        public EventOutcome Prediction(Prediction prediction, ref Counters counters)
        {
            var schema = prediction.Features.Schema;
            if (!ReferenceEquals(schema, _store._schema) && !schema.Equals(_store._schema))
            {
                throw new ArgumentException($"The prediction follows schema [{schema}], but the store holds [{_store._schema}].", nameof(prediction));
            }

            var insert = _insertPrediction;
            insert.Bind(2, prediction.Id.Value);
            insert.Bind(3, counters.NextSeq);
            insert.Bind(4, prediction.ModelName);
            insert.Bind(5, prediction.ModelVersion);
            insert.Bind(6, prediction.Timestamp.UtcTicks);
            insert.Bind(7, EventCodec.Encode(_codec, prediction.Features));
            insert.Bind(8, EventCodec.Encode(_codec, prediction.Output));
            var segments = EventCodec.Encode(_codec, prediction.Segments);
            if (segments.IsEmpty)
            {
                insert.BindNull(9);
            }
            else
            {
                insert.Bind(9, segments);
            }

            if (insert.Execute() == 0)
            {
                counters.DuplicatePredictions++;
                return EventOutcome.Duplicate;
            }

            counters.NextSeq++;
            counters.Predictions++;
            var stored = new Stored { ModelVersion = prediction.ModelVersion, Ticks = prediction.Timestamp.UtcTicks, Output = prediction.Output };
            if (counters.OrphansPending > 0)
            {
                AdoptOrphans(prediction.Id, ref stored, ref counters);
            }

            Remember(prediction.Id.Value, stored);
            return EventOutcome.Stored;
        }

        public EventOutcome Feedback(Feedback feedback, DateTimeOffset receivedAt, ref Counters counters, out string? reason)
        {
            reason = null;
            ref var stored = ref Find(feedback.PredictionId.Value, out var found);
            if (stored.FeedbackCount >= _store._maxFeedback)
            {
                if (Exists(feedback))
                {
                    counters.DuplicateFeedback++;
                    return EventOutcome.Duplicate;
                }

                counters.Rejected++;
                reason = found
                    ? $"prediction {feedback.PredictionId} already has {_store._maxFeedback} feedback events (FeedbackStoreOptions.MaxFeedbackPerPrediction)"
                    : $"prediction {feedback.PredictionId} already has {_store._maxFeedback} orphaned feedback events waiting (FeedbackStoreOptions.MaxFeedbackPerPrediction)";
                return EventOutcome.Rejected;
            }

            var insert = _insertFeedback;
            insert.Bind(2, feedback.PredictionId.Value);
            insert.Bind(3, feedback.Id.Value);
            insert.Bind(4, counters.NextSeq);
            insert.Bind(5, found ? Applied : Orphan);
            insert.Bind(6, (long)feedback.Kind);
            insert.Bind(7, EventCodec.Encode(_codec, feedback.Value));
            insert.Bind(8, feedback.Source);
            insert.Bind(9, feedback.Timestamp.UtcTicks);
            insert.Bind(10, receivedAt.UtcTicks);
            if (insert.Execute() == 0)
            {
                // Applied or waiting already, with this prediction.
                counters.DuplicateFeedback++;
                return EventOutcome.Duplicate;
            }

            counters.NextSeq++;
            if (!found)
            {
                counters.OrphansPending++;
                return EventOutcome.Orphaned;
            }

            Join(feedback, ref stored, ref counters);
            return EventOutcome.Joined;
        }

        public void Dispose()
        {
            foreach (var statement in (SqliteStatement[])[_insertPrediction, _insertFeedback, _findPrediction, _feedbackOf, _feedbackExists, _readOrphans, _adopt, _delete])
            {
                statement.Dispose();
            }
        }

        /// <summary>Counts applied feedback on its prediction and reports a label's join.</summary>
        private void Join(Feedback feedback, ref Stored stored, ref Counters counters)
        {
            stored.FeedbackCount++;
            counters.Joined++;
            if (feedback.IsLabel)
            {
                counters.Labelled += stored.Labelled ? 0 : 1;
                stored.Labelled = true;
                _batch!.AddJoin(new JoinedLabel(feedback, new JoinedPrediction(feedback.PredictionId, stored.ModelVersion, Time(stored.Ticks), stored.Output)));
            }
        }

        /// <summary>
        /// The prediction a feedback event refers to, from memory or from the file (then remembered), and how much
        /// feedback it has; for a prediction not stored, a throwaway entry and the number of orphans waiting for it.
        /// </summary>
        private ref Stored Find(Guid id, out bool found)
        {
            ref var stored = ref CollectionsMarshal.GetValueRefOrNullRef(_recent, id);
            if (!Unsafe.IsNullRef(ref stored))
            {
                found = true;
                return ref stored;
            }

            var read = new Stored();
            var find = _findPrediction;
            find.Bind(2, id);
            try
            {
                found = find.Read();
                if (found)
                {
                    read = new Stored { ModelVersion = find.String(0), Ticks = find.Int64(1), Output = EventCodec.DecodeOutput(find.Blob(2)) };
                }
            }
            finally
            {
                find.Reset();
            }

            var of = _feedbackOf;
            of.Bind(2, id);
            try
            {
                of.Read();
                (read.FeedbackCount, read.Labelled) = ((int)of.Int64(0), of.Int64(1) != 0);
            }
            finally
            {
                of.Reset();
            }

            if (!found)
            {
                _missing = read;
                return ref _missing;
            }

            Remember(id, read);
            return ref CollectionsMarshal.GetValueRefOrNullRef(_recent, id);
        }

        private void Remember(Guid id, in Stored stored)
        {
            if (_recent.Count == RecentCapacity)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }

            _recent[id] = stored;
            _recentOrder.Enqueue(id);
        }

        private bool Exists(Feedback feedback)
        {
            var exists = _feedbackExists;
            exists.Bind(2, feedback.PredictionId.Value);
            exists.Bind(3, feedback.Id.Value);
            try
            {
                exists.Read();
                return exists.Int64(0) > 0;
            }
            finally
            {
                exists.Reset();
            }
        }

        /// <summary>Runs a statement on one feedback row, keyed by its prediction and its id.</summary>
        private static void Change(SqliteStatement statement, PredictionId predictionId, FeedbackId id)
        {
            statement.Bind(2, predictionId.Value);
            statement.Bind(3, id.Value);
            statement.Execute();
        }

        /// <summary>Feedback that waited for this prediction joins it now, in arrival order, up to the per-prediction limit.</summary>
        private void AdoptOrphans(PredictionId predictionId, ref Stored stored, ref Counters counters)
        {
            List<Feedback> waiting = [];
            var read = _readOrphans;
            read.Bind(2, predictionId.Value);
            try
            {
                while (read.Read())
                {
                    waiting.Add(new Feedback(new FeedbackId(read.Guid(0)), predictionId, (FeedbackKind)read.Int64(1), EventCodec.DecodeLabel(read.Blob(2)), read.String(3), Time(read.Int64(4))));
                }
            }
            finally
            {
                read.Reset();
            }

            foreach (var feedback in waiting)
            {
                counters.OrphansPending--;
                if (stored.FeedbackCount < _store._maxFeedback)
                {
                    Change(_adopt, predictionId, feedback.Id);
                    Join(feedback, ref stored, ref counters);
                }
                else
                {
                    Change(_delete, predictionId, feedback.Id);
                    counters.Rejected++;
                }
            }
        }
    }
}
