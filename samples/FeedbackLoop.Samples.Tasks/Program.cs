// Two loops beyond binary classification, each through a change of its world:
//  - ticket routing, a multiclass loop trained by ML.NET's LightGbm (FeedbackLoop.Sdk.MLNet): two teams swap their
//    queues halfway, so the old model routes their tickets to the wrong one;
//  - demand forecasting, a regression loop trained by the built-in ridge regression: demand jumps by a fifth halfway.
// Each loop watches its error stream with its default detector (ADWIN on misclassifications, on absolute errors for
// regression), retrains on drift, and promotes a candidate that beats the champion on the newest labels.
using System.Globalization;
using FeedbackLoop;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;

const int Rounds = 12;
const int PerRound = 1_000;
const int ChangeAfter = 6;
var seed = new AliasChange("sample", "labelled history");

// Ticket routing: the queue follows the ticket's length and the customer's plan; after the change "billing" and
// "technical" swap their queues.
var queues = ModelTask.Multiclass("billing", "technical", "sales");
var tickets = FeatureSchema.CreateBuilder().Numeric("words").Numeric("attachments").Categorical("plan").Build();
string Queue(double words, string plan, bool swapped) =>
    plan == "trial" ? "sales" : (words < 40) != swapped ? "billing" : "technical";

(FeatureVector Features, Label Label) Ticket(Random random, bool swapped)
{
    var words = random.NextDouble() * 100;
    var plan = random.Next(3) switch { 0 => "trial", 1 => "team", _ => "enterprise" };
    var queue = random.NextDouble() < 0.05 ? queues.Classes[random.Next(3)] : Queue(words, plan, swapped);
    return (FeatureVector.Create(tickets, [words, random.Next(4)], [plan]), Label.Categorical(queue));
}

// Demand: units sold rise with the price cut and the temperature; after the change every day sells a fifth more.
var days = FeatureSchema.CreateBuilder().Numeric("discount").Numeric("temperature").Categorical("weekday").Build();
(FeatureVector Features, Label Label) Day(Random random, bool shifted)
{
    var discount = random.NextDouble() * 0.3;
    var temperature = 5 + (random.NextDouble() * 25);
    var weekend = random.Next(7) >= 5;
    var units = (200 + (400 * discount) + (3 * temperature) + (weekend ? 60 : 0)) * (shifted ? 1.2 : 1.0) + (random.NextDouble() - 0.5) * 20;
    return (FeatureVector.Create(days, [discount, temperature], [weekend ? "weekend" : "weekday"]), Label.Numeric(units));
}

var clock = new SimulatedClock();
await using var routing = new FeedbackLoopBuilder("ticket-routing").WithSchema(tickets).ForTask(queues)
    .UseMLNet()                                   // one-hot categoricals + LightGbm (softmax) for a multiclass task
    .UseTimeProvider(clock).Build();
await using var demand = new FeedbackLoopBuilder("demand").WithSchema(days).ForTask(ModelTask.Regression)
    .UseTimeProvider(clock).Build();          // no trainer named: the built-in ridge regression

await RunAsync(routing, Ticket, "accuracy", (actual, output) => output.Label == actual ? 1.0 : 0.0);
Console.WriteLine();
await RunAsync(demand, Day, "mean absolute error", (actual, output) => Math.Abs(output.Value - actual.AsDouble()));

async Task RunAsync(IFeedbackLoop loop, Func<Random, bool, (FeatureVector Features, Label Label)> world, string metric, Func<Label, PredictionOutput, double> score)
{
    var random = new Random(7);
    var history = TrainingSet.CreateBuilder(loop.Schema, loop.Task);
    for (var i = 0; i < 2_000; i++)
    {
        var (features, label) = world(random, false);
        history.Add(features, label);
    }

    var first = await loop.SeedAsync(history.Build(), seed, CancellationToken.None);
    Console.WriteLine($"{loop.Name} ({loop.Task}): version {first.Version} seeded from 2,000 labelled examples: {first.Description}");
    Console.WriteLine($"| round | world   | {metric,-20} | cycle");
    for (var round = 1; round <= Rounds; round++)
    {
        var changed = round > ChangeAfter;
        var total = 0.0;
        for (var i = 0; i < PerRound; i++)
        {
            var (features, label) = world(random, changed);
            var prediction = loop.Predict(features);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, label));
            total += score(label, prediction.Output);
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        var report = await loop.RunCycleAsync(CancellationToken.None);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {round,5} | {(changed ? "changed" : "before"),-7} | {total / PerRound,20:0.###} | {report.Outcome}{(report.Outcome == CycleOutcome.Promoted ? $" version {report.Candidate!.Version}" : string.Empty)}; {report.Decision.Reason}"));
    }
}
