using FeedbackLoop.Models;
using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>What the SQLite event store adds to the contract (checked by <see cref="SqliteEventStoreConformanceTests"/>): it keeps loops apart in one file, stores strings literally and deletes by retention.</summary>
public sealed class SqliteEventStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x1").Categorical("region").Build();
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task SeveralLoopsInOneFile_SeeOnlyTheirOwnEvents()
    {
        using var a = Store("a");
        using var b = Store("b");
        var prediction = Prediction(0);

        await Append(a, LoopEvent.For(prediction, Start), LoopEvent.For(Feedback.GroundTruth(prediction.Id, true), Start));
        var inB = await Append(b, LoopEvent.For(prediction, Start));

        inB.GetOutcome(0).Should().Be(EventOutcome.Stored, "the same id in another loop is another prediction");
        (await Read(b)).Should().BeEmpty();
        (await Read(a)).Should().ContainSingle();
        (await b.GetStatisticsAsync(None)).Predictions.Should().Be(1);
    }

    [Fact]
    public async Task SqlLookingStrings_AreStoredLiterally()
    {
        const string Sql = "eu'); DROP TABLE predictions; --";
        using var store = Store("x'; DELETE FROM feedback; --");
        var prediction = new Prediction(
            PredictionId.New(), "model\"; --", "1", Start, FeatureVector.Create(Schema, [1.0], [Sql]), PredictionOutput.Binary(0.7),
            new Dictionary<string, string> { [Sql] = "'; SELECT 1; --" });

        await Append(store, LoopEvent.For(prediction, Start), LoopEvent.For(new Feedback(FeedbackId.New(), prediction.Id, FeedbackKind.GroundTruth, Label.Binary(true), Sql), Start));

        var example = (await Read(store, new LabelledWindowQuery { Segment = new(Sql, "'; SELECT 1; --") })).Should().ContainSingle().Subject;
        example.Prediction.Features.Categorical[0].Should().Be(Sql);
        example.Prediction.ModelName.Should().Be("model\"; --");
        example.Prediction.Segments!.Should().Contain(Sql, "'; SELECT 1; --");
    }

    [Fact]
    public async Task ExpireAsync_WithRetention_DeletesOlderPredictionsAndTheirFeedback_AndCountsThem()
    {
        using var store = Store(retainFor: TimeSpan.FromDays(7));
        var old = Prediction(0);
        var recent = Prediction(8 * 24 * 3600);
        await Append(store, LoopEvent.For(old, Start), LoopEvent.For(recent, Start), LoopEvent.For(Feedback.GroundTruth(old.Id, true), Start),
            LoopEvent.For(Feedback.GroundTruth(recent.Id, true), Start));

        await store.ExpireAsync(Start.AddDays(10), None);

        (await Read(store)).Select(e => e.Prediction.Id).Should().Equal(recent.Id);
        var statistics = await store.GetStatisticsAsync(None);
        (statistics.PredictionsEvicted, statistics.LabelledPredictions).Should().Be((1L, 1L));
        using var raw = _file.OpenRaw();
        using var count = raw.CreateCommand();
        count.CommandText = "SELECT count(*) FROM feedback;";
        ((long)count.ExecuteScalar()!).Should().Be(1, "the old prediction's feedback went with it");
    }

    [Fact]
    public async Task AppendExpireAndRead_Concurrently_NothingLostAndWindowsAlwaysConsistent()
    {
        using var store = Store();
        var appending = Task.Run(async () =>
        {
            for (var b = 0; b < 40; b++)
            {
                var batch = new EventBatch();
                for (var i = 0; i < 25; i++)
                {
                    var prediction = Prediction((b * 25) + i);
                    batch.Add(LoopEvent.For(prediction, Start)).Add(LoopEvent.For(Feedback.GroundTruth(prediction.Id, i % 2 == 0), Start));
                }

                await store.AppendAsync(batch, None);
            }
        });
        var expiring = Task.Run(async () =>
        {
            while (!appending.IsCompleted)
            {
                await store.ExpireAsync(Start.AddDays(1), None);
            }
        });
        var windows = new List<int>();
        while (!appending.IsCompleted)
        {
            var window = await Read(store);
            window.TrueForAll(e => e.Label.Kind == LabelKind.Binary).Should().BeTrue("a reader sees committed batches only, each prediction with its label");
            windows.Add(window.Count);
        }

        await Task.WhenAll(appending, expiring);

        windows.Should().BeInAscendingOrder();
        windows.TrueForAll(count => count % 25 == 0).Should().BeTrue("whole batches appear at once");
        (await Read(store)).Should().HaveCount(1_000);
        var statistics = await store.GetStatisticsAsync(None);
        (statistics.Predictions, statistics.FeedbackJoined, statistics.LabelledPredictions).Should().Be((1_000L, 1_000L, 1_000L));
    }

    [Fact]
    public async Task TwoWritersOfOneLoop_FeedbackLimitAndLabelCountHoldAcrossThem()
    {
        using var first = Store(maxFeedback: 2);
        using var second = Store(maxFeedback: 2);
        var prediction = Prediction(0);
        await Append(first, LoopEvent.For(prediction, Start));
        await Append(second, LoopEvent.For(Feedback.GroundTruth(prediction.Id, true), Start));
        await Append(second, LoopEvent.For(Feedback.GroundTruth(prediction.Id, false), Start));

        // The first writer stored the prediction and remembers it with no feedback: it must see the second's two.
        var third = Feedback.GroundTruth(prediction.Id, true);
        var batch = await Append(first, LoopEvent.For(third, Start));

        batch.GetOutcome(0).Should().Be(EventOutcome.Rejected, "the prediction already has its two feedback events, written by the other writer");
        var statistics = await first.GetStatisticsAsync(None);
        (statistics.FeedbackJoined, statistics.FeedbackRejected, statistics.LabelledPredictions).Should().Be((2L, 1L, 1L), "one prediction is labelled, however many writers labelled it");
    }

    [Fact]
    public async Task PredictionExpiredByAnotherWriter_IsNotJoinedFromTheFirstWritersMemory()
    {
        using var first = Store(retainFor: TimeSpan.FromDays(1));
        using var second = Store(retainFor: TimeSpan.FromDays(1));
        var prediction = Prediction(0);
        await Append(first, LoopEvent.For(prediction, Start));
        await second.ExpireAsync(Start.AddDays(2), None);

        var batch = await Append(first, LoopEvent.For(Feedback.GroundTruth(prediction.Id, true), Start.AddDays(2)));

        batch.GetOutcome(0).Should().Be(EventOutcome.Orphaned, "the prediction was deleted by retention");
        batch.Joins.Should().BeEmpty();
    }

    [Fact]
    public async Task BatchThatFails_ForgetsThePredictionsItRemembered()
    {
        using var store = Store();
        await Append(store, LoopEvent.For(Prediction(5), Start));
        var prediction = Prediction(0);
        var other = new Prediction(PredictionId.New(), "loop", "1", Start, FeatureVector.Create(FeatureSchema.CreateBuilder().Numeric("y").Build(), [1.0]), PredictionOutput.Binary(0.5));
        var failing = async () => await Append(store, LoopEvent.For(prediction, Start), LoopEvent.For(other, Start));
        await failing.Should().ThrowAsync<ArgumentException>("the second prediction follows another schema");

        // The writer's memory was trusted (the batch before committed, nothing else moved the loop): only the failed
        // batch's own forgetting keeps its rolled-back prediction from being joined.
        var batch = await Append(store, LoopEvent.For(Feedback.GroundTruth(prediction.Id, true), Start));

        batch.GetOutcome(0).Should().Be(EventOutcome.Orphaned, "the failed batch was rolled back, prediction included");
        (await store.GetStatisticsAsync(None)).Predictions.Should().Be(1);
    }

    [Fact]
    public async Task LabelledWindowQuery_WalksTheTimeIndexAndTheFeedbackKey_WithoutSorting()
    {
        using (var store = Store())
        {
            await store.GetStatisticsAsync(None);
        }

        using var connection = new SqliteConnection(_file.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteEventStore.LabelledWindowSql;
        foreach (var name in (string[])["$loop", "$from", "$to", "$version"])
        {
            command.Parameters.AddWithValue(name, DBNull.Value);
        }

        List<string> plan = [];
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        plan.Should().Equal("SEARCH p USING INDEX predictions_by_time (loop=? AND ts>? AND ts<?)", "SEARCH f USING PRIMARY KEY (loop=? AND prediction_id=?)");
    }

    [Fact]
    public async Task Dispose_WhileAppending_TheAppendInFlightFinishesAndLaterCallsAreRefused()
    {
        var store = Store();
        var committed = 0;
        var appending = Task.Run(async () =>
        {
            while (true)
            {
                var batch = await Append(store, Enumerable.Range(0, 50).Select(i => LoopEvent.For(Prediction(i), Start)).ToArray());
                Interlocked.Add(ref committed, batch.Count);
            }
        });
        while (Volatile.Read(ref committed) < 500)
        {
            await Task.Delay(5);
        }

        store.Dispose();
        store.Dispose();

        await appending.Invoking(t => t).Should().ThrowAsync<ObjectDisposedException>();
        await store.Invoking(s => s.GetStatisticsAsync(None).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
        await store.Invoking(s => s.ExpireAsync(Start, None).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
        using var reopened = Store();
        (await reopened.GetStatisticsAsync(None)).Predictions.Should().Be(committed, "every append that completed was committed, and nothing else");
    }

    [Fact]
    public void Constructor_RetentionNotPositive_Throws() =>
        FluentActions.Invoking(() => Store(retainFor: TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();

    private static Prediction Prediction(int second) =>
        new(PredictionId.New(), "loop", "1", Start.AddSeconds(second), FeatureVector.Create(Schema, [second], ["eu"]), PredictionOutput.Binary(0.8));

    private static async Task<EventBatch> Append(SqliteEventStore store, params LoopEvent[] events)
    {
        var batch = new EventBatch();
        foreach (var item in events)
        {
            batch.Add(item);
        }

        await store.AppendAsync(batch, None);
        return batch;
    }

    private static async Task<List<LabelledExample>> Read(SqliteEventStore store, LabelledWindowQuery? query = null)
    {
        List<LabelledExample> examples = [];
        await foreach (var example in store.ReadLabelledAsync(query ?? new LabelledWindowQuery(), None))
        {
            examples.Add(example);
        }

        return examples;
    }

    private SqliteEventStore Store(string loop = "loop", TimeSpan? retainFor = null, int maxFeedback = 16) =>
        new(_file.ConnectionString, loop, Schema, new FeedbackStoreOptions { MaxFeedbackPerPrediction = maxFeedback }, retainFor);
}
