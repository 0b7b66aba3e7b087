using BenchmarkDotNet.Attributes;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.Storage;
using Npgsql;
using NpgsqlTypes;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Shared ingest on PostgreSQL: 20,000 predictions (10 numeric features) and the ground truth of each, arriving 500
/// or 5,000 predictions later, appended in batches of 1,024 events (the loop's default <c>Events.MaxBatchSize</c>) by one or four
/// writing instances (data sources of their own) to a new schema; one operation per event. The server is named by
/// FEEDBACKLOOP_POSTGRES.
/// </summary>
/// <remarks>
/// <see cref="RawBinaryCopy"/> (the baseline) writes the same rows into the same tables with one binary COPY per batch
/// and table, in one transaction per batch: no de-duplication, no join, no counters. <see cref="EventStoreAppend"/> is
/// <see cref="PostgreSqlEventStore.AppendAsync"/> with all of them; with several instances, the batches are dealt
/// round-robin between them and their appends run side by side (3 of 4 labels then refer to another instance's prediction).
/// </remarks>
[MemoryDiagnoser]
public class PostgreSqlIngestBenchmarks
{
    private const int Pairs = 20_000;

    /// <summary>How many events one invocation appends: every prediction and its label.</summary>
    public const int EventsPerInvocation = 2 * Pairs;
    private const int BatchSize = 1_024;
    private static readonly FeatureSchema Schema = BenchmarkData.TenNumericFeatures;

    private LoopEvent[][] _batches = null!;
    private NpgsqlDataSource[] _sources = null!;
    private string _schema = null!;

    /// <summary>Gets or sets how many instances write.</summary>
    [Params(1, 4)]
    public int Instances { get; set; }

    /// <summary>
    /// Gets or sets how many predictions later a label arrives: 500 (half a batch: with several instances most labels
    /// arrive while the batch that stores their prediction is still being written by another) or 5,000 (ten batches).
    /// </summary>
    [Params(500, 5_000)]
    public int LabelDelay { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sources = Enumerable.Range(0, Instances).Select(_ => NpgsqlDataSource.Create(BenchmarkData.PostgreSqlConnectionString)).ToArray();
        _batches = BenchmarkData.IngestBatches(Pairs, LabelDelay, BatchSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        DropSchema();
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }

    /// <summary>A new schema, created by the library, for every iteration.</summary>
    [IterationSetup]
    public void NewSchema()
    {
        DropSchema();
        _schema = "bench_" + Guid.NewGuid().ToString("N");
        new PostgreSqlEventStore(_sources[0], "bench", Schema, databaseSchema: _schema).GetStatisticsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvocation)]
    public Task RawBinaryCopy() => ForEachInstanceAsync(async (source, batches) =>
    {
        long seq = 0;
        foreach (var batch in batches)
        {
            await using var connection = await source.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var copy = await connection.BeginBinaryImportAsync($"COPY {_schema}.predictions (loop, id, seq, model, model_version, ts, numeric_features, categorical_features, label_kind, label_number, label_category, score, probabilities, segment_keys, segment_values) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var p in batch.Where(e => e.Prediction is not null).Select(e => e.Prediction!))
                {
                    await copy.WriteRowAsync(
                        CancellationToken.None,
                        "bench", p.Id.Value, seq++, p.ModelName, p.ModelVersion, p.Timestamp.UtcTicks, p.Features.Numeric.ToArray(), Array.Empty<string>(),
                        (short)p.Output.Label.Kind, p.Output.Label.AsDouble(), DBNull.Value, p.Output.Score, p.Output.Probabilities.ToArray(), Array.Empty<string>(), Array.Empty<string>());
                }

                await copy.CompleteAsync();
            }

            await using (var copy = await connection.BeginBinaryImportAsync($"COPY {_schema}.feedback (loop, prediction_id, id, seq, state, kind, value_kind, value_number, value_category, source, ts, received_at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var e in batch.Where(e => e.Feedback is not null))
                {
                    var f = e.Feedback!;
                    await copy.WriteRowAsync(
                        CancellationToken.None,
                        "bench", f.PredictionId.Value, f.Id.Value, seq++, (short)0, (short)f.Kind, (short)f.Value.Kind, f.Value.AsDouble(), DBNull.Value, f.Source, f.Timestamp.UtcTicks, e.ReceivedAt.UtcTicks);
                }

                await copy.CompleteAsync();
            }

            await transaction.CommitAsync();
        }
    });

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public Task EventStoreAppend() => ForEachInstanceAsync(async (source, batches) =>
    {
        var store = new PostgreSqlEventStore(source, "bench", Schema, databaseSchema: _schema);
        var batch = new EventBatch(BatchSize);
        foreach (var events in batches)
        {
            batch.Clear();
            foreach (var item in events)
            {
                batch.Add(item);
            }

            await store.AppendAsync(batch, CancellationToken.None);
        }
    });

    /// <summary>Instance <c>i</c> of <c>n</c> writes batches <c>i</c>, <c>i + n</c>, … concurrently with the others.</summary>
    private Task ForEachInstanceAsync(Func<NpgsqlDataSource, IEnumerable<LoopEvent[]>, Task> write) =>
        Task.WhenAll(_sources.Select((source, i) => Task.Run(() => write(source, _batches.Where((_, b) => b % _sources.Length == i)))));

    private void DropSchema()
    {
        if (_schema is not null)
        {
            BenchmarkData.DropPostgreSqlSchema(_schema);
        }
    }
}
