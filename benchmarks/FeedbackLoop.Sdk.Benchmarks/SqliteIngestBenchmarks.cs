using BenchmarkDotNet.Attributes;
using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Durable ingest on SQLite: 100,000 predictions (10 numeric features) and the ground truth of each, arriving 500
/// predictions later, committed in batches of 1,024 events (the loop's default <c>Events.MaxBatchSize</c>) to a new
/// file in WAL mode with <c>synchronous=FULL</c>, one operation per 200,000 events.
/// </summary>
/// <remarks>
/// <see cref="PlainPreparedInserts"/> (the baseline) writes the same rows into the same tables of a file created by
/// the same library: per batch one immediate transaction, per event one prepared insert on the native handle with its
/// values encoded by the store's codec: no de-duplication, no join, no counters. <see cref="EventStoreAppend"/> is
/// <see cref="SqliteEventStore.AppendAsync"/> with everything the store guarantees. The ratio of the two is what the
/// store's guarantees cost.
/// </remarks>
[MemoryDiagnoser]
public class SqliteIngestBenchmarks
{
    private const int Pairs = 100_000;
    private const int LabelDelay = 500;
    private const int BatchSize = 1_024;
    private static readonly FeatureSchema Schema = BenchmarkData.TenNumericFeatures;

    private LoopEvent[][] _batches = null!;
    private string _directory = null!;
    private string _connectionString = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("feedbackloop-bench-").FullName;
        _batches = BenchmarkData.IngestBatches(Pairs, LabelDelay, BatchSize);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>A new file with the library's schema for every iteration, so each starts from the same table sizes.</summary>
    [IterationSetup]
    public void NewFile()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(_directory))
        {
            File.Delete(file);
        }

        _connectionString = $"Data Source={Path.Combine(_directory, "ingest.db")}";
        using var store = new SqliteEventStore(_connectionString, "bench", Schema);
        store.GetStatisticsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * Pairs)]
    public void PlainPreparedInserts()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var database = connection.Handle!;
        Check(database, raw.sqlite3_prepare_v2(database, "INSERT INTO predictions (loop, id, seq, model, model_version, ts, features, output, segments) VALUES ('bench', ?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL);", out sqlite3_stmt prediction));
        Check(database, raw.sqlite3_prepare_v2(database, "INSERT INTO feedback (loop, prediction_id, id, seq, state, kind, value, source, ts, received_at) VALUES ('bench', ?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8);", out sqlite3_stmt feedback));
        var codec = new EventCodec.Writer();
        Span<byte> id = stackalloc byte[16];
        Span<byte> predictionId = stackalloc byte[16];
        long seq = 0;
        foreach (var batch in _batches)
        {
            Check(database, raw.sqlite3_exec(database, "BEGIN IMMEDIATE;"));
            foreach (var item in batch)
            {
                if (item.Prediction is { } p)
                {
                    p.Id.Value.TryWriteBytes(id, bigEndian: true, out _);
                    raw.sqlite3_bind_blob(prediction, 1, id);
                    raw.sqlite3_bind_int64(prediction, 2, seq++);
                    raw.sqlite3_bind_text(prediction, 3, p.ModelName);
                    raw.sqlite3_bind_text(prediction, 4, p.ModelVersion);
                    raw.sqlite3_bind_int64(prediction, 5, p.Timestamp.UtcTicks);
                    raw.sqlite3_bind_blob(prediction, 6, EventCodec.Encode(codec, p.Features));
                    raw.sqlite3_bind_blob(prediction, 7, EventCodec.Encode(codec, p.Output));
                    Step(database, prediction);
                }
                else
                {
                    var f = item.Feedback!;
                    f.PredictionId.Value.TryWriteBytes(predictionId, bigEndian: true, out _);
                    f.Id.Value.TryWriteBytes(id, bigEndian: true, out _);
                    raw.sqlite3_bind_blob(feedback, 1, predictionId);
                    raw.sqlite3_bind_blob(feedback, 2, id);
                    raw.sqlite3_bind_int64(feedback, 3, seq++);
                    raw.sqlite3_bind_int64(feedback, 4, (long)f.Kind);
                    raw.sqlite3_bind_blob(feedback, 5, EventCodec.Encode(codec, f.Value));
                    raw.sqlite3_bind_text(feedback, 6, f.Source);
                    raw.sqlite3_bind_int64(feedback, 7, f.Timestamp.UtcTicks);
                    raw.sqlite3_bind_int64(feedback, 8, item.ReceivedAt.UtcTicks);
                    Step(database, feedback);
                }
            }

            Check(database, raw.sqlite3_exec(database, "COMMIT;"));
        }

        raw.sqlite3_finalize(prediction);
        raw.sqlite3_finalize(feedback);
    }

    [Benchmark(OperationsPerInvoke = 2 * Pairs)]
    public async Task EventStoreAppend()
    {
        using var store = new SqliteEventStore(_connectionString, "bench", Schema);
        var batch = new EventBatch(BatchSize);
        foreach (var events in _batches)
        {
            batch.Clear();
            foreach (var item in events)
            {
                batch.Add(item);
            }

            await store.AppendAsync(batch, CancellationToken.None);
        }
    }

    private static void Step(sqlite3 database, sqlite3_stmt statement)
    {
        Check(database, raw.sqlite3_step(statement), raw.SQLITE_DONE);
        raw.sqlite3_reset(statement);
    }

    private static void Check(sqlite3 database, int code, int expected = raw.SQLITE_OK)
    {
        if (code != expected)
        {
            throw new InvalidOperationException(raw.sqlite3_errmsg(database).utf8_to_string());
        }
    }
}
