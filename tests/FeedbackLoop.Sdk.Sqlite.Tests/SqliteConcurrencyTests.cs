using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>
/// Nothing lost under concurrency: 8 threads record 1,000,000 events into one loop on a SQLite file, with random
/// re-deliveries and labels that often arrive before their predictions.
/// </summary>
public sealed class SqliteConcurrencyTests : IDisposable
{
    private const int Predictions = 200_000;
    private const int Deliveries = 1_000_000;
    private const int Threads = 8;
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

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
