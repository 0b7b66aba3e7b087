using System.Diagnostics;
using System.Globalization;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;

namespace FeedbackLoop.Samples.ManyInstances;

/// <summary>One instance of the host: a loop on the shared database, driven by commands on standard input.</summary>
public static class Instance
{
    /// <summary>Runs the instance until its standard input closes.</summary>
    /// <param name="connection">The Npgsql connection string.</param>
    /// <param name="schema">The schema the instances share.</param>
    /// <param name="name">The instance's name.</param>
    /// <param name="index">Its share of the samples.</param>
    /// <param name="count">How many instances share them.</param>
    /// <param name="trainDelay">How long each training waits.</param>
    /// <returns>A task that completes when the instance stops.</returns>
    public static async Task RunAsync(string connection, string schema, string name, int index, int count, TimeSpan trainDelay)
    {
        var features = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x2").Build();
        var learner = Learners.LogisticRegression();
        var builder = new FeedbackLoopBuilder("many-instances")
            .WithSchema(features)
            .UseTrainer(new SlowTrainer(learner, trainDelay), learner)
            .Configure(options => options.MinimumTrainingExamples = 100)
            .UsePostgreSql(connection, postgres => postgres.InSchema(schema));
        await using var loop = (trainDelay > TimeSpan.Zero ? builder.RetrainWhen(Retrain.EveryNewLabels(1)) : builder).Build();
        await loop.StartAsync(CancellationToken.None);
        Console.WriteLine($"ready {name}");
        while (Console.ReadLine() is { } line)
        {
            var command = line.Split(' ');
            switch (command)
            {
                case ["seed"]:
                    var seed = TrainingSet.CreateBuilder(features, ModelTask.Binary);
                    for (var i = -500; i < 0; i++)
                    {
                        var (x, y) = Sample(i, concept: 0);
                        seed.Add(x(features), Label.Binary(y), source: "history");
                    }

                    var seeded = await loop.SeedAsync(seed.Build(), new AliasChange(name, "first model"), CancellationToken.None);
                    Console.WriteLine($"seeded v{seeded.Version}");
                    break;
                case [var verb and ("ingest" or "ingest-all"), var first, var end]:
                    // Samples of this instance's share are predicted here and the others' labels arrive here (crossed);
                    // "ingest-all" receives every sample's prediction and label, as if a client re-sent them everywhere.
                    for (var i = int.Parse(first, CultureInfo.InvariantCulture); i < int.Parse(end, CultureInfo.InvariantCulture); i++)
                    {
                        var (x, y) = Sample(i, concept: i < 2_000 ? 0 : 1);
                        var mine = i % count == index;
                        if (mine || verb == "ingest-all")
                        {
                            loop.Predict(x(features), id: Id(i));
                        }

                        if (!mine || verb == "ingest-all")
                        {
                            loop.RecordFeedback(Feedback.GroundTruth(Id(i), y, id: new FeedbackId(new Guid(i + 1, 0x4642, 0x4b42, 0, 0, 0, 0, 0, 0, 0, 2))));
                        }
                    }

                    await loop.FlushAsync(CancellationToken.None);
                    Console.WriteLine($"ingested {end}");
                    break;
                case ["cycle"]:
                    var report = await loop.RunCycleAsync(CancellationToken.None);
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"cycle {report.Outcome} champion=v{report.Champion?.Version} labels={report.Observed.LabelsSinceLastTraining} candidate={report.Candidate?.Version} failure={report.Failure}"));
                    break;
                case ["champion"]:
                    Console.WriteLine($"champion v{loop.Champion?.Version}");
                    break;
                case ["await-champion"]:
                    var waited = Stopwatch.StartNew();
                    while (loop.Champion is null && waited.Elapsed < TimeSpan.FromSeconds(10))
                    {
                        await Task.Delay(10);
                    }

                    Console.WriteLine($"champion v{loop.Champion?.Version} after {waited.ElapsedMilliseconds} ms");
                    break;
                case ["health"]:
                    Console.WriteLine($"health {loop.Health.Status}");
                    break;
                default:
                    Console.WriteLine($"unknown {line}");
                    break;
            }
        }
    }

    /// <summary>A sample of the stream: two uniform features, and a label whose rule changes with the concept.</summary>
    private static (Func<FeatureSchema, FeatureVector> Features, bool Label) Sample(int i, int concept)
    {
        var random = new Random(i + 1_000);
        var (x1, x2) = (random.NextDouble(), random.NextDouble());
        return (schema => FeatureVector.Create(schema, [x1, x2]), concept == 0 ? x1 + x2 > 1 : x1 - x2 > 0);
    }

    /// <summary>The id of sample <paramref name="i"/>'s prediction, the same in every instance (the label's sender derives it).</summary>
    private static PredictionId Id(int i) => new(new Guid(i + 1, 0x4642, 0x4b41, 0, 0, 0, 0, 0, 0, 0, 1));
}

/// <summary>The built-in learner, announcing each training on standard output and, for the tests, taking its time.</summary>
public sealed class SlowTrainer(IModelTrainer inner, TimeSpan delay) : IModelTrainer
{
    public async Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
    {
        Console.WriteLine($"training {data.Count}");
        await Task.Delay(delay, cancellationToken);
        return await inner.TrainAsync(data, cancellationToken);
    }
}

/// <summary>A child process running one instance, asked one command at a time (the PostgreSQL tests drive it too).</summary>
public sealed class InstanceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private InstanceProcess(Process process) => _process = process;

    /// <summary>Gets the process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts an instance of this program.</summary>
    /// <param name="connection">The Npgsql connection string.</param>
    /// <param name="schema">The schema the instances share.</param>
    /// <param name="name">The instance's name (the actor of its seed).</param>
    /// <param name="index">Which share of the samples it predicts: those whose number modulo <paramref name="count"/> is this.</param>
    /// <param name="count">How many instances share the samples.</param>
    /// <param name="trainDelay">How long each training waits (and with a delay the instance retrains every cycle); zero for the defaults.</param>
    /// <returns>The running instance.</returns>
    public static InstanceProcess Start(string connection, string schema, string name, int index, int count, TimeSpan trainDelay = default)
    {
        // This program's own executable when it runs itself; otherwise (a test host) the dotnet host running its assembly.
        var self = typeof(Instance).Assembly.Location;
        var host = Environment.ProcessPath!;
        var start = Path.GetFileNameWithoutExtension(host) == Path.GetFileNameWithoutExtension(self)
            ? new ProcessStartInfo(host)
            : new ProcessStartInfo(Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { self } };
        (start.RedirectStandardInput, start.RedirectStandardOutput) = (true, true);

        foreach (var argument in new[] { "instance", connection, schema, name, Invariant(index), Invariant(count), Invariant((long)trainDelay.TotalMilliseconds) })
        {
            start.ArgumentList.Add(argument);
        }

        return new InstanceProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the instance has started its loop.</summary>
    /// <returns>A task that completes when it is ready.</returns>
    public Task ReadyAsync() => ReadUntilAsync("ready");

    /// <summary>Sends a command and reads its answer (skipping the trainer's announcements).</summary>
    /// <param name="command">The command.</param>
    /// <returns>The answer line.</returns>
    public async Task<string> AskAsync(string command)
    {
        await SendAsync(command);
        string line;
        do
        {
            line = await ReadLineAsync();
        }
        while (line.StartsWith("training", StringComparison.Ordinal));
        return line;
    }

    /// <summary>Sends a command without waiting for its answer.</summary>
    /// <param name="command">The command.</param>
    /// <returns>A task that completes when it is sent.</returns>
    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The start of the line awaited.</param>
    /// <returns>The line.</returns>
    public async Task<string> ReadUntilAsync(string prefix)
    {
        string line;
        do
        {
            line = await ReadLineAsync();
        }
        while (!line.StartsWith(prefix, StringComparison.Ordinal));
        return line;
    }

    /// <summary>Kills the process at once (SIGKILL on Linux): no shutdown code runs.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // An instance that does not stop when its input closes is killed, not waited for forever.
                Kill();
            }
        }

        _process.Dispose();
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            return await _process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException($"instance process {_process.Id} stopped");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"instance process {_process.Id} said nothing for two minutes");
        }
    }
}
