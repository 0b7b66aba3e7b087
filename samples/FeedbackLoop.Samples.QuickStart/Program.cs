// Quick start: a simulated production stream whose concept changes midway. Labels arrive 500 predictions late.
// With its defaults the loop watches its champion's errors with ADWIN, retrains on drift or every 5,000 labels,
// gates each candidate against the champion on the same holdout, and promotes it. A model that is never updated runs
// beside it for comparison.
using System.Diagnostics;
using System.Globalization;
using FeedbackLoop;
using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using Microsoft.Extensions.DependencyInjection;

const int Predictions = 60_000;
const long DriftAt = 32_000;
const int Bootstrap = 2_000;
var watch = Stopwatch.StartNew();

var stream = new RotatingHyperplaneStream(seed: 42, dimensions: 10, driftPoints: [DriftAt], noise: 0.05);
var replay = new ProductionReplay(stream, labelDelay: 500, cycleEvery: 1_000);

var services = new ServiceCollection();
services.AddFeedbackLoop("hyperplane", loop => loop
    .WithSchema(stream.Schema)
    .UseLearner(Learners.LogisticRegression(l2: 1e-3))
    .PromoteWhen(Gates.NoWorseThanChampion(Metric.Accuracy))  // the default gate, spelled out; see docs/loop-effectiveness.md for the other defaults
    .UseTimeProvider(replay.Clock));
await using var provider = services.BuildServiceProvider();
var feedbackLoop = provider.GetRequiredKeyedService<IFeedbackLoop>("hyperplane");

// The loop's first model: the host seeds it from its own labelled history (no predictions needed).
var history = TrainingSet.CreateBuilder(stream.Schema, ModelTask.Binary);
foreach (var sample in stream.Take(Bootstrap))
{
    history.Add(sample.Features, sample.Label, source: "history");
}

var seed = history.Build();
await feedbackLoop.SeedAsync(seed, new AliasChange("host", "initial model trained on history"), CancellationToken.None);

// The "never updated" baseline: the same model, trained the same way, that nothing ever retrains.
var stale = await Learners.LogisticRegression(l2: 1e-3).TrainAsync(seed, CancellationToken.None);
var result = await replay.RunAsync(feedbackLoop, stale.Predictor, Predictions, tail: 10_000, CancellationToken.None);

Console.WriteLine(Invariant($"FeedbackLoop.Sdk quick start: {Predictions:N0} predictions, concept drift at #{DriftAt:N0}, labels 500 predictions late"));
Console.WriteLine();
Console.WriteLine("| stream range                  | never updated | kept by the loop |");
Console.WriteLine("|-------------------------------|--------------:|-----------------:|");
foreach (var phase in result.Phases)
{
    Console.WriteLine(Invariant($"| {$"{phase.Name} (#{phase.From:N0}-{phase.To:N0})",-29} | {phase.BaselineAccuracy,13:P1} | {phase.LoopAccuracy,16:P1} |"));
}

Console.WriteLine();
Console.WriteLine("drifts on the error stream:");
foreach (var detection in result.Detections.Where(d => d.Signal.State == DriftState.Drift))
{
    Console.WriteLine(Invariant(
        $"  drift on {detection.Signal.Monitor} at prediction #{detection.StreamIndex:N0} ({detection.StreamIndex - DriftAt:+#,0;-#,0} from the true change), reported by cycle {detection.Cycle}"));
}

foreach (var (index, report) in result.Cycles)
{
    Console.WriteLine(Invariant($"cycle {report.Cycle} at #{index:N0}: {report.Outcome}; {report.Decision.Reason}"));
    if (report.Gate is { } gate)
    {
        Console.WriteLine(Invariant($"    trained on {report.TrainingExamples:N0}, gated on {report.HoldoutExamples:N0}: {gate}; registered {report.Candidate}"));
    }
}

Console.WriteLine();
Console.WriteLine(Invariant($"champion now {feedbackLoop.Champion}; finished in {watch.Elapsed.TotalSeconds:0.0} s"));

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
