// Quick start: a simulated production stream whose concept changes midway. Labels arrive 500 predictions late.
// With its defaults the loop watches its champion's errors with ADWIN, retrains on drift (as soon as the drift has
// enough labels, not at the next scheduled cycle) or every 5,000 labels, and promotes a candidate only when it is
// significantly more accurate than the champion on the same holdout. A model that is never updated runs
// beside it on the same samples, test-then-train (docs/loop-effectiveness.md runs the full comparison).
using System.Diagnostics;
using System.Globalization;
using FeedbackLoop;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Promotion;
using FeedbackLoop.Simulation;
using FeedbackLoop.Simulation.Prequential;
using FeedbackLoop.Sqlite;

const int History = 2_000;
const int Predictions = 60_000;
const int DriftAt = 30_000;
var watch = Stopwatch.StartNew();

// The stream's first 2,000 samples are the host's labelled history, which seeds the loop's first model.
var stream = new RotatingHyperplaneStream(seed: 42, dimensions: 10, driftPoints: [History + DriftAt], noise: 0.05);
var learner = Learners.LogisticRegression(l2: 1e-3);
var options = new PrequentialOptions { History = History, Predictions = Predictions, LabelDelay = 500, CycleEvery = 1_000 };
var result = await PrequentialEvaluation.RunAsync(
    stream,
    [
        PrequentialStrategy.Static(learner),
        PrequentialStrategy.Loop("loop", clock => new FeedbackLoopBuilder("hyperplane")
            .WithSchema(stream.Schema)
            .UseLearner(learner)
            .PromoteWhen(Gates.SignificantlyMoreAccurateThanChampion())  // the default gate, spelled out
            .UseTimeProvider(clock)
            .Build()),
    ],
    options,
    CancellationToken.None);

var (never, loop) = (result["static"], result["loop"]);
Console.WriteLine(Invariant($"FeedbackLoop.Sdk quick start: {Predictions:N0} predictions, concept drift at #{DriftAt:N0}, labels 500 predictions late"));
Console.WriteLine();
Console.WriteLine("| predictions                   | never updated | kept by the loop |");
Console.WriteLine("|-------------------------------|--------------:|-----------------:|");
foreach (var (name, from, to) in new[] { ("before drift", 0, DriftAt), ("after drift", DriftAt, Predictions), ("last 10,000", Predictions - 10_000, Predictions) })
{
    Console.WriteLine(Invariant(
        $"| {$"{name} (#{from:N0}-{to:N0})",-29} | {PrequentialResult.Metric(never, from, to),13:P1} | {PrequentialResult.Metric(loop, from, to),16:P1} |"));
}

Console.WriteLine();
Console.WriteLine("drifts on the error stream (at the labelled prediction that raised them):");
foreach (var signal in loop.DriftSignals)
{
    Console.WriteLine(Invariant($"  prediction #{signal:N0} ({signal - DriftAt:+#,0;-#,0} from the true change)"));
}

foreach (var (prediction, report) in loop.Cycles)
{
    Console.WriteLine(Invariant($"cycle {report.Cycle} after #{prediction:N0}: {report.Outcome}; {report.Decision.Reason}"));
    if (report.Gate is { } gate)
    {
        Console.WriteLine(Invariant($"    trained on {report.TrainingExamples:N0}, gated on {report.HoldoutExamples:N0}: {gate}; registered {report.Candidate}"));
    }
}

Console.WriteLine();
Console.WriteLine(Invariant($"{loop.ModelChanges.Count} promotions; finished in {watch.Elapsed.TotalSeconds:0.0} s"));

// A durable loop: the same stream served by a loop that keeps its events, registry and state in a SQLite file. Each run
// serves the next 5,000 predictions and stops with the last 500 still waiting for their labels; run the sample again
// and the loop resumes from the file: same champion, those labels join the predictions made before the restart, and the
// drift detector continues from its saved state.
var file = Path.Combine(Path.GetTempPath(), "feedbackloop-quickstart.db");
await using (var durable = new FeedbackLoopBuilder("hyperplane")
    .WithSchema(stream.Schema)
    .UseLearner(learner)
    .UseSqlite($"Data Source={file}")
    .Build())
{
    await durable.StartAsync(CancellationToken.None);
    var before = (await durable.GetStatisticsAsync(CancellationToken.None)).Store;
    var replay = new RotatingHyperplaneStream(seed: 42, dimensions: 10, driftPoints: [History + DriftAt], noise: 0.05);
    var history = replay.Take(History).ToList();
    Console.WriteLine();
    if (durable.Champion is null)
    {
        var seed = TrainingSet.CreateBuilder(replay.Schema, ModelTask.Binary);
        history.ForEach(sample => seed.Add(sample.Features, sample.Label, source: "history"));
        await durable.SeedAsync(seed.Build(), new AliasChange("quick start", "first model from the history"), CancellationToken.None);
        Console.WriteLine(Invariant($"durable loop: a new file, {file}; champion v{durable.Champion!.Version} trained on the history"));
    }
    else
    {
        Console.WriteLine(Invariant(
            $"durable loop: resumed from {file}: champion v{durable.Champion.Version}, {before.Predictions:N0} predictions, {before.Predictions - before.LabelledPredictions:N0} still waiting for labels; its drift detector, retrain policy clock and cycle count restored"));
    }

    // The stream goes on where the last run stopped (the file knows how many predictions were served).
    var served = replay.Take((int)before.Predictions).ToList();
    var next = replay.Take(5_000).ToList();
    var pending = served.Skip(Math.Max(0, served.Count - 500)).ToList();
    var ids = new Queue<(PredictionId Id, Label Label)>();
    var first = served.Count - pending.Count;
    for (var i = 0; i < pending.Count; i++)
    {
        // The predictions made before the restart were stored with ids this sample derives from their position.
        ids.Enqueue((QuickStartIds.For(first + i), pending[i].Label));
    }

    var correct = 0;
    for (var i = 0; i < next.Count; i++)
    {
        var prediction = durable.Predict(next[i].Features, id: QuickStartIds.For(served.Count + i));
        correct += prediction.Output.Label == next[i].Label ? 1 : 0;
        ids.Enqueue((prediction.Id, next[i].Label));
        if (ids.Count > 500)
        {
            var (id, label) = ids.Dequeue();
            durable.RecordFeedback(Feedback.GroundTruth(id, label));
        }

        if ((i + 1) % 1_000 == 0)
        {
            var report = await durable.RunCycleAsync(CancellationToken.None);
            if (report.Outcome != CycleOutcome.NoAction)
            {
                Console.WriteLine(Invariant($"    cycle {report.Cycle}: {report.Outcome}; {report.Decision.Reason}"));
            }
        }
    }

    await durable.FlushAsync(CancellationToken.None);
    var after = (await durable.GetStatisticsAsync(CancellationToken.None)).Store;
    Console.WriteLine(Invariant(
        $"    served predictions #{served.Count:N0}-{served.Count + next.Count:N0} at {100.0 * correct / next.Count:0.0}% accuracy; champion v{durable.Champion!.Version}; {after.Predictions - after.LabelledPredictions:N0} waiting for labels. Run the sample again to resume."));
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

/// <summary>Prediction ids derived from the position in the stream, so a later run can send the labels of an earlier run's predictions.</summary>
internal static class QuickStartIds
{
    public static PredictionId For(int position) => new(new Guid(position, 0x5153, 0x4b54, 0, 0, 0, 0, 0, 0, 0, 1));
}
