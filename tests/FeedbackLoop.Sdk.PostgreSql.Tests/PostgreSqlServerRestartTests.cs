using System.Diagnostics;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.Registry;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>The tests that restart the server run alone, after every other test of the assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerRestart
{
    public const string Name = "PostgreSQL server restart";
}

/// <summary>
/// The server restarts under a loop that is ingesting (the command in FEEDBACKLOOP_POSTGRES_RESTART, which .ci/run sets
/// to <c>pg_ctlcluster &lt;version&gt; &lt;cluster&gt; restart</c>).
/// </summary>
[Collection(ServerRestart.Name)]
public sealed class PostgreSqlServerRestartTests
{
    private const string RestartVariable = "FEEDBACKLOOP_POSTGRES_RESTART";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly FeatureSchema Features = FeatureSchema.CreateBuilder().Numeric("x").Build();

    [Fact]
    public async Task ServerRestartedDuringIngest_NoAcknowledgedEventLost_AndTheOutageInHealthAndCycleReport()
    {
        var restart = Environment.GetEnvironmentVariable(RestartVariable) is { Length: > 0 } command
            ? command
            : throw new InvalidOperationException($"{RestartVariable} is not set: set it to a command that restarts the test server (for example 'pg_ctlcluster 15 main restart'); .ci/run sets it.");
        await using var schema = new TemporarySchema();
        await using var loop = new FeedbackLoopBuilder("restarts")
            .WithSchema(Features)
            .UsePostgreSql(PostgreSqlServer.ConnectionString, options => options.InSchema(schema.Name))
            .Build();
        var seed = TrainingSet.CreateBuilder(Features, ModelTask.Binary);
        for (var i = 0; i < 40; i++)
        {
            seed.Add(FeatureVector.Create(Features, [i % 2]), Label.Binary(i % 2 == 0), source: "history");
        }

        await loop.SeedAsync(seed.Build(), new AliasChange("test", "seed"), None);
        List<Guid> acknowledged = [];
        var degraded = false;
        var restarting = Task.Run(async () =>
        {
            await Task.Delay(500);
            using var process = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", restart } })!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        });

        // Ingest in acknowledged batches (FlushAsync returns once the batch is stored) until well after the restart.
        for (var batch = 0; !restarting.IsCompleted || batch < 40; batch++)
        {
            List<Guid> ids = [];
            for (var i = 0; i < 50; i++)
            {
                var prediction = loop.Predict(FeatureVector.Create(Features, [i % 2]));
                loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, i % 2 == 0));
                ids.Add(prediction.Id.Value);
            }

            var flush = loop.FlushAsync(None);
            while (!flush.IsCompleted)
            {
                degraded |= loop.Health.Status == LoopHealthStatus.Degraded;
                await Task.WhenAny(flush, Task.Delay(10));
            }

            await flush;
            acknowledged.AddRange(ids);
        }

        (await restarting).Should().Be(0, "the server restarted");
        var report = await loop.RunCycleAsync(None);
        degraded.Should().BeTrue("the loop reported the outage in its health while its writes failed");
        loop.Health.Status.Should().Be(LoopHealthStatus.Healthy);
        report.Observed.StoreFailures.Should().BePositive("the cycle reports the failed writes");
        (await schema.ScalarAsync("SELECT count(*) FROM {schema}.predictions WHERE id = ANY(@ids);", ("ids", acknowledged.ToArray())))
            .Should().Be((long)acknowledged.Count, "every acknowledged prediction is stored");
        (await schema.ScalarAsync("SELECT count(*) FROM {schema}.feedback WHERE state = 0 AND prediction_id = ANY(@ids);", ("ids", acknowledged.ToArray())))
            .Should().Be((long)acknowledged.Count, "and every acknowledged label is joined");
    }
}
