using System.Runtime.CompilerServices;
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
/// Labelled windows are read on a connection of their own, from the last committed state (WAL readers do not block the
/// writer), through an index of the labelled predictions by time, so a window costs in proportion to its size. Thread-safe:
/// appends and expiries take turns on the one writer connection.
/// </para>
/// </remarks>
public sealed class SqliteEventStore : IEventStore, ILabelledWindowSource, IDisposable
{
    private readonly SqliteDatabase _database;
    private readonly string _loop;
    private readonly FeatureSchema _schema;
    private readonly long _orphanTtlTicks;
    private readonly int _maxFeedback;
    private readonly TimeSpan? _retention;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private SqliteConnection? _connection;
    private Statements? _statements;

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
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            try
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var counters = ReadCounters(connection, transaction);
                var statements = _statements!;
                statements.Begin(transaction, batch);
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
            }
            catch (SqliteException exception)
            {
                throw _database.Explain(exception);
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
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            int expired;
            try
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var counters = ReadCounters(connection, transaction);
                expired = Execute(connection, transaction, "DELETE FROM feedback WHERE loop = $loop AND state = 1 AND received_at <= $cutoff;", ("$cutoff", now.UtcTicks - _orphanTtlTicks));
                counters.OrphansPending -= expired;
                counters.OrphansExpired += expired;
                if (_retention is { } retention)
                {
                    var cutoff = ("$cutoff", now.UtcTicks - retention.Ticks);
                    var labelled = (long)SqliteCommands.Scalar(connection, transaction, "SELECT count(*) FROM predictions WHERE loop = $loop AND label IS NOT NULL AND ts < $cutoff;", ("$loop", _loop), cutoff)!;
                    Execute(connection, transaction, "DELETE FROM feedback WHERE loop = $loop AND state = 0 AND prediction_id IN (SELECT id FROM predictions WHERE loop = $loop AND ts < $cutoff);", cutoff);
                    counters.Evicted += Execute(connection, transaction, "DELETE FROM predictions WHERE loop = $loop AND ts < $cutoff;", cutoff);
                    counters.Labelled -= labelled;
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
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>Closes the writer connection.</summary>
    public void Dispose()
    {
        _statements?.Dispose();
        _statements = null;
        _connection?.Dispose();
        _connection = null;
        _writer.Dispose();
    }

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>The newest matching labelled examples, newest first, read through the labelled index.</summary>
    private List<LabelledExample> ReadNewest(LabelledWindowQuery query, CancellationToken cancellationToken)
    {
        List<LabelledExample> newest = [];
        if (query.MaxCount == 0)
        {
            return newest;
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT id, model, model_version, ts, features, output, segments, label, labelled_at, correction, corrected_at
            FROM predictions INDEXED BY predictions_labelled
            WHERE loop = $loop AND label IS NOT NULL AND ts >= $from AND ts < $to{(query.ModelVersion is null ? string.Empty : " AND model_version = $version")}
            ORDER BY ts DESC, seq DESC;
            """;
        command.Parameters.AddWithValue("$loop", _loop);
        command.Parameters.AddWithValue("$from", query.From?.UtcTicks ?? long.MinValue);
        command.Parameters.AddWithValue("$to", query.To?.UtcTicks ?? long.MaxValue);
        if (query.ModelVersion is { } version)
        {
            command.Parameters.AddWithValue("$version", version);
        }

        using var reader = command.ExecuteReader();
        while (newest.Count < query.MaxCount && reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var segments = EventCodec.DecodeSegments(reader.IsDBNull(6) ? null : (byte[])reader[6]);
            if (query.Segment is { } segment && (segments is null || !segments.TryGetValue(segment.Key, out var value) || !string.Equals(value, segment.Value, StringComparison.Ordinal)))
            {
                continue;
            }

            var prediction = new Prediction(
                new PredictionId(new Guid((byte[])reader[0])),
                reader.GetString(1),
                reader.GetString(2),
                Time(reader.GetInt64(3)),
                EventCodec.DecodeFeatures(_schema, (byte[])reader[4]),
                EventCodec.DecodeOutput((byte[])reader[5]),
                segments);
            var corrected = query.Precedence == LabelPrecedence.CorrectionsFirst && !reader.IsDBNull(9);
            newest.Add(corrected
                ? new LabelledExample(prediction, EventCodec.DecodeLabel((byte[])reader[9]), Time(reader.GetInt64(10)))
                : new LabelledExample(prediction, EventCodec.DecodeLabel((byte[])reader[7]), Time(reader.GetInt64(8))));
        }

        return newest;
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

    /// <summary>
    /// The writer's statements, prepared once for the life of its connection, and the rules that apply a batch's events
    /// with them: a prediction is one insert; feedback is one insert and one update of its prediction in the common case
    /// (the update's <c>RETURNING</c> carries what the join reports), with a lookup only for an orphan or a rejection.
    /// </summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteEventStore _store;
        private readonly SqliteCommand[] _all;
        private readonly SqliteCommand _insertPrediction;
        private readonly SqliteCommand _insertFeedback;
        private readonly SqliteCommand _applyFeedback;
        private readonly SqliteCommand _predictionExists;
        private readonly SqliteCommand _countOrphans;
        private readonly SqliteCommand _readOrphans;
        private readonly SqliteCommand _setState;
        private readonly SqliteCommand _deleteFeedback;
        private EventBatch? _batch;

        public Statements(SqliteEventStore store, SqliteConnection connection)
        {
            _store = store;
            SqliteCommand Prepare(string sql, params string[] names)
            {
                var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("$loop", store._loop);
                foreach (var name in names)
                {
                    command.Parameters.Add(new SqliteParameter { ParameterName = name });
                }

                return command;
            }

            _insertPrediction = Prepare(
                """
                INSERT OR IGNORE INTO predictions (loop, id, seq, model, model_version, ts, features, output, segments)
                VALUES ($loop, $id, $seq, $model, $version, $ts, $features, $output, $segments);
                """,
                "$id", "$seq", "$model", "$version", "$ts", "$features", "$output", "$segments");
            _insertFeedback = Prepare(
                """
                INSERT OR IGNORE INTO feedback (loop, prediction_id, id, seq, state, kind, value, source, ts, received_at)
                VALUES ($loop, $prediction, $id, $seq, 0, $kind, $value, $source, $ts, $received);
                """,
                "$prediction", "$id", "$seq", "$kind", "$value", "$source", "$ts", "$received");
            _applyFeedback = Prepare(
                """
                UPDATE predictions SET feedback_count = feedback_count + 1, label_count = label_count + $isLabel,
                    label = CASE WHEN $isLabel THEN $value ELSE label END,
                    labelled_at = CASE WHEN $isLabel THEN $received ELSE labelled_at END,
                    correction = CASE WHEN $isCorrection THEN $value ELSE correction END,
                    corrected_at = CASE WHEN $isCorrection THEN $received ELSE corrected_at END
                WHERE loop = $loop AND id = $id AND feedback_count < $max
                RETURNING model_version, ts, output, label_count;
                """,
                "$id", "$isLabel", "$isCorrection", "$value", "$received", "$max");
            _predictionExists = Prepare("SELECT count(*) FROM predictions WHERE loop = $loop AND id = $id;", "$id");
            _countOrphans = Prepare("SELECT count(*) FROM feedback WHERE loop = $loop AND prediction_id = $prediction AND state = 1;", "$prediction");
            _readOrphans = Prepare("SELECT id, kind, value, source, ts, received_at FROM feedback WHERE loop = $loop AND prediction_id = $prediction AND state = 1 ORDER BY seq;", "$prediction");
            _setState = Prepare("UPDATE feedback SET state = $state WHERE loop = $loop AND prediction_id = $prediction AND id = $id;", "$state", "$prediction", "$id");
            _deleteFeedback = Prepare("DELETE FROM feedback WHERE loop = $loop AND prediction_id = $prediction AND id = $id;", "$prediction", "$id");
            _all = [_insertPrediction, _insertFeedback, _applyFeedback, _predictionExists, _countOrphans, _readOrphans, _setState, _deleteFeedback];
        }

        /// <summary>Runs the statements in the batch's transaction, reporting joins through the batch.</summary>
        public void Begin(SqliteTransaction transaction, EventBatch batch)
        {
            _batch = batch;
            foreach (var command in _all)
            {
                command.Transaction = transaction;
            }
        }

        public EventOutcome Prediction(Prediction prediction, ref Counters counters)
        {
            var schema = prediction.Features.Schema;
            if (!ReferenceEquals(schema, _store._schema) && !schema.Equals(_store._schema))
            {
                throw new ArgumentException($"The prediction follows schema [{schema}], but the store holds [{_store._schema}].", nameof(prediction));
            }

            var id = prediction.Id.Value.ToByteArray();
            var p = _insertPrediction.Parameters;
            (p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value) = (id, counters.NextSeq, prediction.ModelName, prediction.ModelVersion, prediction.Timestamp.UtcTicks);
            (p[6].Value, p[7].Value, p[8].Value) = (EventCodec.Encode(prediction.Features), EventCodec.Encode(prediction.Output), (object?)EventCodec.Encode(prediction.Segments) ?? DBNull.Value);
            if (_insertPrediction.ExecuteNonQuery() == 0)
            {
                counters.DuplicatePredictions++;
                return EventOutcome.Duplicate;
            }

            counters.NextSeq++;
            counters.Predictions++;
            if (counters.OrphansPending > 0)
            {
                AdoptOrphans(prediction, id, ref counters);
            }

            return EventOutcome.Stored;
        }

        public EventOutcome Feedback(Feedback feedback, DateTimeOffset receivedAt, ref Counters counters, out string? reason)
        {
            reason = null;
            var predictionId = feedback.PredictionId.Value.ToByteArray();
            var id = feedback.Id.Value.ToByteArray();
            var p = _insertFeedback.Parameters;
            (p[1].Value, p[2].Value, p[3].Value, p[4].Value) = (predictionId, id, counters.NextSeq, (int)feedback.Kind);
            (p[5].Value, p[6].Value, p[7].Value, p[8].Value) = (EventCodec.Encode(feedback.Value), feedback.Source, feedback.Timestamp.UtcTicks, receivedAt.UtcTicks);
            if (_insertFeedback.ExecuteNonQuery() == 0)
            {
                // Applied or waiting already, with this prediction.
                counters.DuplicateFeedback++;
                return EventOutcome.Duplicate;
            }

            counters.NextSeq++;
            if (Apply(feedback, receivedAt, predictionId, ref counters))
            {
                return EventOutcome.Joined;
            }

            if (Count(_predictionExists, predictionId) > 0)
            {
                Delete(predictionId, id);
                return Rejected(ref counters, out reason, $"prediction {feedback.PredictionId} already has {_store._maxFeedback} feedback events (FeedbackStoreOptions.MaxFeedbackPerPrediction)");
            }

            if (Count(_countOrphans, predictionId) >= _store._maxFeedback)
            {
                Delete(predictionId, id);
                return Rejected(ref counters, out reason, $"prediction {feedback.PredictionId} already has {_store._maxFeedback} orphaned feedback events waiting (FeedbackStoreOptions.MaxFeedbackPerPrediction)");
            }

            SetState(predictionId, id, orphan: true);
            counters.OrphansPending++;
            return EventOutcome.Orphaned;
        }

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }
        }

        private static EventOutcome Rejected(ref Counters counters, out string reason, string why)
        {
            counters.Rejected++;
            reason = why;
            return EventOutcome.Rejected;
        }

        private static long Count(SqliteCommand command, byte[] id)
        {
            command.Parameters[1].Value = id;
            return (long)command.ExecuteScalar()!;
        }

        /// <summary>Applies feedback to its prediction unless the prediction is missing or full; reports the label's join.</summary>
        private bool Apply(Feedback feedback, DateTimeOffset receivedAt, byte[] predictionId, ref Counters counters)
        {
            var isLabel = feedback.IsLabel;
            var p = _applyFeedback.Parameters;
            (p[1].Value, p[2].Value, p[3].Value) = (predictionId, isLabel ? 1 : 0, feedback.Kind == FeedbackKind.HumanCorrection ? 1 : 0);
            (p[4].Value, p[5].Value, p[6].Value) = (isLabel ? EventCodec.Encode(feedback.Value) : DBNull.Value, receivedAt.UtcTicks, _store._maxFeedback);
            using var applied = _applyFeedback.ExecuteReader();
            if (!applied.Read())
            {
                return false;
            }

            counters.Joined++;
            if (isLabel)
            {
                counters.Labelled += applied.GetInt64(3) == 1 ? 1 : 0;
                _batch!.AddJoin(new JoinedLabel(feedback, new JoinedPrediction(feedback.PredictionId, applied.GetString(0), Time(applied.GetInt64(1)), EventCodec.DecodeOutput((byte[])applied[2]))));
            }

            return true;
        }

        /// <summary>Feedback that waited for this prediction joins it now, in arrival order, up to the per-prediction limit.</summary>
        private void AdoptOrphans(Prediction prediction, byte[] id, ref Counters counters)
        {
            List<(Feedback Feedback, DateTimeOffset ReceivedAt)> waiting = [];
            _readOrphans.Parameters[1].Value = id;
            using (var reader = _readOrphans.ExecuteReader())
            {
                while (reader.Read())
                {
                    var feedback = new Feedback(
                        new FeedbackId(new Guid((byte[])reader[0])), prediction.Id, (FeedbackKind)reader.GetInt32(1), EventCodec.DecodeLabel((byte[])reader[2]), reader.GetString(3), Time(reader.GetInt64(4)));
                    waiting.Add((feedback, Time(reader.GetInt64(5))));
                }
            }

            foreach (var (feedback, receivedAt) in waiting)
            {
                counters.OrphansPending--;
                var feedbackId = feedback.Id.Value.ToByteArray();
                if (Apply(feedback, receivedAt, id, ref counters))
                {
                    SetState(id, feedbackId, orphan: false);
                }
                else
                {
                    Delete(id, feedbackId);
                    counters.Rejected++;
                }
            }
        }

        private void SetState(byte[] predictionId, byte[] id, bool orphan)
        {
            var p = _setState.Parameters;
            (p[1].Value, p[2].Value, p[3].Value) = (orphan ? 1 : 0, predictionId, id);
            _setState.ExecuteNonQuery();
        }

        private void Delete(byte[] predictionId, byte[] id)
        {
            var p = _deleteFeedback.Parameters;
            (p[1].Value, p[2].Value) = (predictionId, id);
            _deleteFeedback.ExecuteNonQuery();
        }
    }
}
