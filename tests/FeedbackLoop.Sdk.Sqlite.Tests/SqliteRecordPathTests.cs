using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>
/// The record path of a loop on a SQLite file: nothing lost under concurrency (8 threads record 1,000,000 events, with
/// random re-deliveries and labels that often arrive before their predictions), and nothing allocated on the caller's
/// thread.
/// </summary>
public sealed class SqliteRecordPathTests : IDisposable
{
    private const int Predictions = 200_000;
    private const int Deliveries = 1_000_000;
    private const int Threads = 8;
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task RecordPredictionAndFeedback_SqliteStoreAttached_AllocatesNothingOnTheCallersThread()
    {
        await using var loop = new FeedbackLoopBuilder("loop").WithSchema(Schema).MonitorFeatures().UseSqlite(_file.ConnectionString).Build();
        var predictions = Enumerable.Range(0, 256).Select(i => new Prediction(PredictionId.New(), "loop", "1", Start, FeatureVector.Create(Schema, [i / 256.0]), PredictionOutput.Binary(0.5))).ToArray();
        var labels = predictions.Select(p => Feedback.GroundTruth(p.Id, true)).ToArray();

        var allocated = Allocations.OnCurrentThread(() =>
        {
            for (var i = 0; i < predictions.Length; i++)
            {
                loop.RecordPrediction(predictions[i]);
                loop.RecordFeedback(labels[i]);
            }
        });
        await loop.FlushAsync(CancellationToken.None);

        allocated.Should().Be(0, "the caller only hands events to the queue; the consumer writes them");
        (await loop.GetStatisticsAsync(CancellationToken.None)).Store.FeedbackJoined.Should().Be(predictions.Length, "each label joined its prediction once");
    }

    [Fact]
    public async Task DatabaseLockedByAnotherConnection_LoopDegradedWhileWritesFail_ThenEverythingLandsAndTheReportCountsThem()
    {
        await using var loop = new FeedbackLoopBuilder("loop").WithSchema(Schema).UseSqlite(_file.ConnectionString, sqlite => sqlite.WaitForLocks(TimeSpan.FromMilliseconds(20))).Build();
        await loop.GetStatisticsAsync(CancellationToken.None);
        var prediction = new Prediction(PredictionId.New(), "loop", "1", Start, FeatureVector.Create(Schema, [0.3]), PredictionOutput.Binary(0.3));

        LoopHealth degraded;
        using (var holder = _file.OpenRaw())
        using (holder.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false))
        {
            loop.RecordPrediction(prediction);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, false));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while ((degraded = loop.Health).ConsecutiveStoreFailures < 2 && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10);
            }
        }

        await loop.FlushAsync(CancellationToken.None);

        degraded.Status.Should().Be(LoopHealthStatus.Degraded);
        degraded.LastStoreFailure.Should().StartWith(nameof(SqliteStoreException)).And.Contain(_file.FilePath, "the error names the file");
        degraded.EventsQueued.Should().Be(2, "the events wait in the queue while the file is locked");
        loop.Health.Status.Should().Be(LoopHealthStatus.Healthy, "the retried write succeeded once the lock was released");
        var statistics = await loop.GetStatisticsAsync(CancellationToken.None);
        (statistics.Store.Predictions, statistics.Store.FeedbackJoined).Should().Be((1L, 1L), "nothing was lost or applied twice");
        (await loop.RunCycleAsync(CancellationToken.None)).Observed.StoreFailures.Should().Be(statistics.StoreFailures).And.BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task LoopStateCorruptInTheFile_LoopDegradedNamingTheFile_AndTheSnapshotNotOverwritten()
    {
        await using (var first = new FeedbackLoopBuilder("loop").WithSchema(Schema).UseSqlite(_file.ConnectionString).Build())
        {
            await first.RunCycleAsync(CancellationToken.None);
        }

        var corrupt = _file.FlipLastByte("SELECT state FROM loop_state WHERE loop = 'loop';", "UPDATE loop_state SET state = $value WHERE loop = 'loop';");

        await using (var second = new FeedbackLoopBuilder("loop").WithSchema(Schema).UseSqlite(_file.ConnectionString).Build())
        {
            second.RecordPrediction(new Prediction(PredictionId.New(), "loop", "1", Start, FeatureVector.Create(Schema, [0.3]), PredictionOutput.Binary(0.3)));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (second.Health.Status == LoopHealthStatus.Healthy && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10);
            }

            second.Health.Status.Should().Be(LoopHealthStatus.Degraded, "the loop cannot restore its state");
            second.Health.LastStoreFailure.Should().StartWith(nameof(InvalidDataException)).And.Contain(_file.FilePath);
        }

        using (var connection = _file.OpenRaw())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT state FROM loop_state WHERE loop = 'loop';";
            ((byte[])command.ExecuteScalar()!).Should().Equal(corrupt, "a loop that never loaded its state does not save over it");
        }
    }

    [Fact]
    public async Task OversizeValues_RefusedWithTheLimitInTheMessage_AndNothingStored()
    {
        var schema = FeatureSchema.CreateBuilder().Categorical("city").Build();
        await using var loop = new FeedbackLoopBuilder("loop").WithSchema(schema).UseSqlite(_file.ConnectionString).Build();
        var longCity = FeatureVector.Create(schema, [], [new string('x', 1_025)]);
        var manyTags = Enumerable.Range(0, 17).ToDictionary(i => $"tag{i}", i => "v");

        FluentActions.Invoking(() => loop.RecordPrediction(new Prediction(PredictionId.New(), "loop", "1", Start, longCity, PredictionOutput.Binary(0.5))))
            .Should().Throw<ArgumentException>().WithMessage("*1025 characters*at most 1024 (Limits.MaxStringLength)*");
        FluentActions.Invoking(() => loop.RecordPrediction(new Prediction(PredictionId.New(), "loop", "1", Start, FeatureVector.Create(schema, [], ["oslo"]), PredictionOutput.Binary(0.5), manyTags)))
            .Should().Throw<ArgumentException>().WithMessage("*17 segment tags*at most 16 (Limits.MaxSegments)*");
        FluentActions.Invoking(() => loop.RecordFeedback(new Feedback(FeedbackId.New(), PredictionId.New(), FeedbackKind.GroundTruth, Label.Binary(true), new string('s', 1_025))))
            .Should().Throw<ArgumentException>().WithMessage("*at most 1024 (Limits.MaxStringLength)*");
        await loop.FlushAsync(CancellationToken.None);

        var statistics = await loop.GetStatisticsAsync(CancellationToken.None);
        (statistics.EventsRecorded, statistics.Store.Predictions, statistics.Store.OrphansPending).Should().Be((0L, 0L, 0L));
    }

    [Fact]
    public async Task EightThreadsRecordAMillionEvents_WithReDeliveriesAndEarlyLabels_EachEventStoredOnceAndEveryLabelJoined()
    {
        var random = new Random(11);
        var predictions = new Prediction[Predictions];
        var labels = new Feedback[Predictions];
        for (var i = 0; i < Predictions; i++)
        {
            var x = random.NextDouble();
            predictions[i] = new Prediction(PredictionId.New(), "loop", "1", Start.AddMilliseconds(i), FeatureVector.Create(Schema, [x]), PredictionOutput.Binary(x));
            labels[i] = Feedback.GroundTruth(predictions[i].Id, x > 0.5);
        }

        // Every event once, then re-deliveries of random events up to a million, all shuffled: a label is as likely to
        // come before its prediction as after it, and a re-delivery may come before the first delivery's commit.
        var deliveries = Enumerable.Range(0, 2 * Predictions).Concat(Enumerable.Range(0, Deliveries - (2 * Predictions)).Select(_ => random.Next(2 * Predictions))).ToArray();
        random.Shuffle(deliveries);

        using (var loop = new FeedbackLoopBuilder("loop").WithSchema(Schema).UseSqlite(_file.ConnectionString).Build())
        {
            var slices = deliveries.Chunk(Deliveries / Threads).ToArray();
            var threads = slices.Select(slice => new Thread(() =>
            {
                foreach (var n in slice)
                {
                    if (n < Predictions)
                    {
                        loop.RecordPrediction(predictions[n]);
                    }
                    else
                    {
                        loop.RecordFeedback(labels[n - Predictions]);
                    }
                }
            })).ToList();
            threads.ForEach(thread => thread.Start());
            threads.ForEach(thread => thread.Join());
            await loop.FlushAsync(CancellationToken.None);
        }

        using var store = new SqliteEventStore(_file.ConnectionString, "loop", Schema);
        var statistics = await store.GetStatisticsAsync(CancellationToken.None);
        statistics.Should().Be(new EventStoreStatistics(
            Predictions: Predictions,
            DuplicatePredictions: deliveries.Count(n => n < Predictions) - Predictions,
            PredictionsEvicted: 0,
            FeedbackJoined: Predictions,
            DuplicateFeedback: deliveries.Count(n => n >= Predictions) - Predictions,
            FeedbackRejected: 0,
            OrphansPending: 0,
            OrphansExpired: 0,
            LabelledPredictions: Predictions));
        using (var connection = _file.OpenRaw())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT (SELECT count(*) FROM predictions), (SELECT count(*) FROM feedback), (SELECT count(*) FROM feedback WHERE state <> 0),
                       (SELECT count(*) FROM predictions AS p WHERE (SELECT count(*) FROM feedback AS f WHERE f.loop = p.loop AND f.prediction_id = p.id) = 1);
                """;
            using var reader = command.ExecuteReader();
            reader.Read();
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)).Should().Be(
                (Predictions, Predictions, 0L, Predictions),
                "each event is in the file once, no label is left waiting, and each prediction has its one label");
        }

        var expected = labels.ToDictionary(label => label.PredictionId, label => label.Value);
        var joined = 0;
        await foreach (var example in store.ReadLabelledAsync(new LabelledWindowQuery(), CancellationToken.None))
        {
            example.Label.Should().Be(expected[example.Prediction.Id]);
            joined++;
        }

        joined.Should().Be(Predictions, "every label is joined to its prediction");
    }
}
