// A fresh host that references FeedbackLoop.Sdk.MLNet alone (built by .ci/run): the default ML.NET pipeline
// (LightGbm, through its native library as the package brings it) trains the loop's first model, which then serves.
using FeedbackLoop;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;

await using var loop = new FeedbackLoopBuilder("consumer")
    .WithSchema(s => s.Numeric("x").Numeric("y").Categorical("colour"))
    .UseMLNet()
    .Build();

var random = new Random(3);
string[] colours = ["red", "blue"];
var history = TrainingSet.CreateBuilder(loop.Schema, loop.Task);
for (var i = 0; i < 500; i++)
{
    var (x, y, colour) = (random.NextDouble(), random.NextDouble(), colours[random.Next(2)]);
    history.Add(loop.Schema.CreateVector().Set("x", x).Set("y", y).Set("colour", colour), x + y + (colour == "red" ? 0.5 : 0) > 1.25);
}

var version = await loop.SeedAsync(history.Build(), new AliasChange("ci", "consumer"), CancellationToken.None);
var high = loop.Predict(loop.Schema.CreateVector().Set("x", 0.9).Set("y", 0.9).Set("colour", "red")).Output;
var low = loop.Predict(loop.Schema.CreateVector().Set("x", 0.1).Set("y", 0.1).Set("colour", "blue")).Output;
Console.WriteLine($"{version.Description}; high {high}, low {low}");
if (!version.Description.StartsWith("ML.NET LightGbmBinaryTrainer", StringComparison.Ordinal) || !(high.Score > 0.8) || !(low.Score < 0.2))
{
    Console.Error.WriteLine("expected a LightGbm model that scores the two inputs above 0.8 and below 0.2");
    return 1;
}

Console.WriteLine("mlnet consumer OK");
return 0;
