// Many instances, one loop: two processes of a small host share one PostgreSQL database. Each makes predictions and
// receives the labels of the other's predictions (a load balancer sends them anywhere); one leads each cycle and trains,
// and both serve the champion it promotes.
//
//   dotnet run --project samples/FeedbackLoop.Samples.ManyInstances -- "Host=127.0.0.1;Database=...;Username=...;Password=..."
//
// starts two instances of this program (the "instance" mode below), drives them over their standard input and prints
// what each reports. The PostgreSQL tests drive the same instances to prove the behaviour.
using System.Globalization;
using FeedbackLoop.Samples.ManyInstances;

if (args is ["instance", var connection, var schema, var name, var index, var count, var trainDelayMs])
{
    // The tests slow the trainer down (to overlap two instances' cycles, or to kill one mid-training); it then retrains every cycle.
    var trainDelay = TimeSpan.FromMilliseconds(int.Parse(trainDelayMs, CultureInfo.InvariantCulture));
    await Instance.RunAsync(connection, schema, name, int.Parse(index, CultureInfo.InvariantCulture), int.Parse(count, CultureInfo.InvariantCulture), trainDelay);
    return 0;
}

if (args is not [var connectionString])
{
    Console.Error.WriteLine("usage: FeedbackLoop.Samples.ManyInstances \"<Npgsql connection string>\"");
    return 2;
}

var demoSchema = "many_instances_" + TimeProvider.System.GetUtcNow().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
await using var a = InstanceProcess.Start(connectionString, demoSchema, "a", 0, 2);
await using var b = InstanceProcess.Start(connectionString, demoSchema, "b", 1, 2);
await Task.WhenAll(a.ReadyAsync(), b.ReadyAsync());
Console.WriteLine($"two instances on schema {demoSchema}: a (pid {a.Id}) and b (pid {b.Id})");
Console.WriteLine($"a: {await a.AskAsync("seed")}");
Console.WriteLine($"b: {await b.AskAsync("await-champion")}");
for (var round = 0; round < 3; round++)
{
    // Both receive traffic: each predicts half of the samples and receives the labels of the other half.
    var (from, to) = (round * 2_000, (round + 1) * 2_000);
    await Task.WhenAll(a.AskAsync($"ingest {from} {to}"), b.AskAsync($"ingest {from} {to}"));

    // Both run their cycle at the same moment: one leads, the other reports NotLeader.
    var cycles = await Task.WhenAll(a.AskAsync("cycle"), b.AskAsync("cycle"));
    Console.WriteLine($"round {round + 1}: a: {cycles[0]} | b: {cycles[1]}");
    await Task.Delay(1_000);
    Console.WriteLine($"         a: {await a.AskAsync("champion")} | b: {await b.AskAsync("champion")}");
}

return 0;
