using BenchmarkDotNet.Attributes;
using FeedbackLoop.Drift;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.Sqlite;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// The record path, as a host drives it: per operation one new prediction (10 numeric features) is recorded and the
/// ground truth of the prediction made half the store's capacity earlier arrives and joins it. The store runs full
/// (steady state, one eviction per new prediction) or, with <see cref="Store"/> <c>sqlite</c>, the loop keeps its events
/// in a SQLite file (durable, everything retained), or with <c>postgresql</c> in a new schema of the server named by
/// FEEDBACKLOOP_POSTGRES (shared).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="CreateAndRecord"/> measures the caller's thread: validation and the hand-off to the event queue, while
/// the loop's consumer applies the events on the other core. The queue holds a whole invocation, and every iteration
/// ends by flushing it, so the caller never waits for room: the figure is the request path's own cost.
/// <see cref="CreateEventsOnly"/> (the baseline) creates the same events without recording them, the host's own work;
/// the SDK's cost per pair is the difference of the two means, and its allocation the difference of the two
/// allocation columns, which must be zero.
/// </para>
/// <para>
/// <see cref="CreateRecordAndApply"/> records the same pairs and waits until the consumer has applied them: its
/// throughput is the consumer's (store append and join, monitors), reported beside the caller's.
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class RecordPathBenchmarks
{
    private const int Batch = 65_536;
    private const int Features = 10;
    private const int StoreCapacity = 100_000;

    private PredictionId[] _awaitingLabel = null!;
    private IFeedbackLoop _loop = null!;
    private FeatureVector[] _inputs = null!;
    private int _cursor;
    private string? _directory;
    private string? _schema;

    /// <summary>Gets or sets how many of the 10 numeric features are monitored by a Page-Hinkley detector each.</summary>
    [Params(0, 10)]
    public int MonitoredFeatures { get; set; }

    /// <summary>Gets or sets where the loop keeps its events: <c>memory</c> (the default store), <c>sqlite</c> (a new file) or <c>postgresql</c> (a new schema).</summary>
    [Params("memory", "sqlite", "postgresql")]
    public string Store { get; set; } = "memory";

    [GlobalSetup]
    public void Setup()
    {
        var schema = FeatureSchema.CreateBuilder();
        for (var f = 0; f < Features; f++)
        {
            schema.Numeric($"x{f}");
        }

        var builder = new FeedbackLoopBuilder("bench").WithSchema(schema.Build()).Configure(o =>
        {
            o.Store.PredictionCapacity = StoreCapacity;
            o.Events.Capacity = 4 * Batch;
        });
        for (var f = 0; f < MonitoredFeatures; f++)
        {
            builder.MonitorFeature($"x{f}", () => new PageHinkley());
        }

        if (Store == "sqlite")
        {
            _directory = Directory.CreateTempSubdirectory("feedbackloop-bench-").FullName;
            builder.UseSqlite($"Data Source={Path.Combine(_directory, "record-path.db")}");
        }

        if (Store == "postgresql")
        {
            _schema = "bench_" + Guid.NewGuid().ToString("N");
            builder.UsePostgreSql(BenchmarkData.PostgreSqlConnectionString, postgres => postgres.InSchema(_schema));
        }

        _loop = builder.Build();

        // A multiple of the 1,024 inputs, so each label meets the same input its prediction had.
        _awaitingLabel = new PredictionId[StoreCapacity / 2 / 1_024 * 1_024];
        for (var i = 0; i < _awaitingLabel.Length; i++)
        {
            _awaitingLabel[i] = PredictionId.New();
        }

        var random = new Random(1);
        _inputs = new FeatureVector[1_024];
        var values = new double[Features];
        for (var i = 0; i < _inputs.Length; i++)
        {
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = random.NextDouble();
            }

            _inputs[i] = FeatureVector.Create(_loop.Schema, values);
        }

        // Fill the store past its capacity so every measured operation evicts, as in a long-running service.
        for (var i = 0; i < 2 * StoreCapacity; i++)
        {
            RecordPair();
        }

        Flush();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _loop.Dispose();
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }

        if (_schema is not null)
        {
            BenchmarkData.DropPostgreSqlSchema(_schema);
        }
    }

    /// <summary>Empties the queue between iterations, so the caller never meets a full queue.</summary>
    [IterationCleanup]
    public void Flush() => _loop.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int CreateEventsOnly()
    {
        var checksum = 0;
        for (var n = 0; n < Batch; n++)
        {
            var (prediction, feedback) = NextPair();
            checksum += prediction.Features.Numeric.Length + (feedback.IsLabel ? 1 : 0);
        }

        return checksum;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int CreateAndRecord()
    {
        for (var n = 0; n < Batch; n++)
        {
            RecordPair();
        }

        return Batch;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int CreateRecordAndApply()
    {
        for (var n = 0; n < Batch; n++)
        {
            RecordPair();
        }

        Flush();
        return Batch;
    }

    private void RecordPair()
    {
        var (prediction, feedback) = NextPair();
        _loop.RecordPrediction(prediction);
        _loop.RecordFeedback(feedback);
    }

    private (Prediction Prediction, Feedback Feedback) NextPair()
    {
        var cursor = _cursor;
        _cursor = cursor + 1 == _awaitingLabel.Length ? 0 : cursor + 1;
        var input = _inputs[cursor & (_inputs.Length - 1)];
        var prediction = new Prediction(PredictionId.New(), "bench", "1", default, input, PredictionOutput.Binary(input.Numeric[0]));
        // The label is the model's output, flipped for 10% of inputs: the error monitor sees a stationary 10% error rate.
        var feedback = Feedback.GroundTruth(_awaitingLabel[cursor], (input.Numeric[0] >= 0.5) ^ (input.Numeric[1] < 0.1));
        _awaitingLabel[cursor] = prediction.Id;
        return (prediction, feedback);
    }
}
