// Quick start: a simulated production stream whose concept changes midway. Labels arrive 500 predictions late.
// With its defaults the loop watches its champion's errors with ADWIN, retrains on drift (as soon as the drift has
// enough labels, not at the next scheduled cycle) or every 5,000 labels, and promotes a candidate only when it is
// significantly more accurate than the champion on the same holdout. A model that is never updated runs
// beside it on the same samples, test-then-train (docs/loop-effectiveness.md runs the full comparison).
using System.Diagnostics;
using System.Globalization;
using FeedbackLoop;
using FeedbackLoop.Learning;
using FeedbackLoop.Promotion;
using FeedbackLoop.Simulation;
using FeedbackLoop.Simulation.Prequential;

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
        $"| {$"{name} (#{from:N0}-{to:N0})",-29} | {PrequentialResult.Accuracy(never, from, to),13:P1} | {PrequentialResult.Accuracy(loop, from, to),16:P1} |"));
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

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
