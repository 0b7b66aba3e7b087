// A fresh host application that consumes FeedbackLoop.Sdk.Sqlite from its NuGet package (built by .ci/run): a loop on a
// SQLite file is built, trained, disposed and built again on the file, and must resume with the same champion.
using FeedbackLoop;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Retraining;
using FeedbackLoop.Sqlite;

var folder = Path.Combine(Path.GetTempPath(), "feedbackloop-consumer-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
var file = $"Data Source={Path.Combine(folder, "feedbackloop.db")}";
IFeedbackLoop Build() => new FeedbackLoopBuilder("credit-risk")
    .WithSchema(s => s.Numeric("income").Numeric("debt_ratio"))
    .UseLearner(Learners.LogisticRegression(l2: 1e-3))
    .RetrainWhen(Retrain.EveryNewLabels(100))
    .UseSqlite(file)
    .Build();

int champion;
await using (var first = Build())
{
    var random = new Random(3);
    for (var i = 0; i < 400; i++)
    {
        var debt = random.NextDouble();
        var features = first.Schema.CreateVector().Set("income", random.NextDouble() * 100).Set("debt_ratio", debt);
        var prediction = new Prediction(PredictionId.New(), first.Name, "host-v1", default, features, PredictionOutput.Binary(debt));
        first.RecordPrediction(prediction);
        first.RecordFeedback(Feedback.GroundTruth(prediction.Id, debt > 0.5));
    }

    var report = await first.RunCycleAsync(CancellationToken.None);
    if (report.Outcome != CycleOutcome.Promoted)
    {
        Console.Error.WriteLine($"expected the first cycle to promote a champion: {report}");
        return 1;
    }

    champion = first.Champion!.Version;
}

await using (var second = Build())
{
    await second.StartAsync(CancellationToken.None);
    var statistics = await second.GetStatisticsAsync(CancellationToken.None);
    if (second.Champion?.Version != champion || statistics.Store.Predictions != 400)
    {
        Console.Error.WriteLine($"expected the rebuilt loop to resume with champion v{champion} and 400 predictions: v{second.Champion?.Version}, {statistics.Store.Predictions}");
        return 1;
    }

    Console.WriteLine($"consumer OK: resumed with champion v{champion} and {statistics.Store.Predictions} predictions from the file");
}

Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(folder, recursive: true);
return 0;
