// Records predictions and their labels into a loop on a SQLite file, flushing at random points and printing
// "ack <n>" once the first n predictions and their labels are acknowledged (FlushAsync completed), until it is killed.
// Usage: FeedbackLoop.Sdk.Sqlite.CrashHost <database file> <seed>
using System.Globalization;
using FeedbackLoop;
using FeedbackLoop.Sqlite;
using FeedbackLoop.Tests.Sqlite.CrashHost;

var file = args[0];
var seed = int.Parse(args[1], CultureInfo.InvariantCulture);
await using var loop = new FeedbackLoopBuilder(CrashEvents.LoopName)
    .WithSchema(CrashEvents.Schema)
    .UseSqlite($"Data Source={file}")
    .Build();
await loop.StartAsync(CancellationToken.None);
var random = new Random(seed);
var stream = new CrashEvents(seed);
for (var n = 1; ; n++)
{
    var (prediction, label) = stream.Next();
    loop.RecordPrediction(prediction);
    loop.RecordFeedback(label);
    if (random.Next(500) == 0)
    {
        await loop.FlushAsync(CancellationToken.None);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {n}"));
        Console.Out.Flush();
    }
}
