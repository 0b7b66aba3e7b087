using System.Diagnostics;
using System.Globalization;
using FeedbackLoop.Models;
using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.Sqlite.CrashHost;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>
/// Nothing acknowledged is lost: a child process records events into a loop on a SQLite file, prints each position
/// <see cref="IFeedbackLoop.FlushAsync"/> acknowledged, and is killed with SIGKILL mid-stream.
/// </summary>
public sealed class SqliteCrashTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 9)]
    public async Task ChildKilledMidStream_EveryAcknowledgedEventIsThereOnce_AndTheFileOpensWithoutRepair(int seed, int acknowledgementsBeforeKill)
    {
        var acknowledged = await RunChildAndKillAsync(seed, acknowledgementsBeforeKill);

        Scalar("PRAGMA integrity_check;").Should().Be("ok", "the file opens without repair");
        using var store = new SqliteEventStore(_file.ConnectionString, CrashEvents.LoopName, CrashEvents.Schema);
        List<LabelledExample> labelled = [];
        await foreach (var example in store.ReadLabelledAsync(new LabelledWindowQuery(), CancellationToken.None))
        {
            labelled.Add(example);
        }

        var stored = labelled.ToDictionary(e => e.Prediction.Id);
        var events = new CrashEvents(seed);
        var replay = new EventBatch(2 * acknowledged);
        for (var n = 0; n < acknowledged; n++)
        {
            var (prediction, label) = events.Next();
            stored.Should().ContainKey(prediction.Id, $"prediction {n + 1} of {acknowledged} was acknowledged");
            stored[prediction.Id].Label.Should().Be(label.Value, "its label was acknowledged with it");
            replay.Add(LoopEvent.For(prediction, default)).Add(LoopEvent.For(label, default));
        }

        var statistics = await store.GetStatisticsAsync(CancellationToken.None);
        statistics.Predictions.Should().Be((long)Scalar($"SELECT count(*) FROM predictions WHERE loop = '{CrashEvents.LoopName}';"), "the counters were committed with the events");
        statistics.Predictions.Should().BeGreaterThanOrEqualTo(acknowledged);

        // The host re-sends what it recorded before the crash: every event is recognised, none applied twice.
        await store.AppendAsync(replay, CancellationToken.None);
        Enumerable.Range(0, replay.Count).Select(replay.GetOutcome).Should().OnlyContain(o => o == EventOutcome.Duplicate);
        (await store.GetStatisticsAsync(CancellationToken.None)).Predictions.Should().Be(statistics.Predictions);
    }

    private async Task<int> RunChildAndKillAsync(int seed, int acknowledgementsBeforeKill)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "FeedbackLoop.Sdk.Sqlite.CrashHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(host);
        start.ArgumentList.Add(_file.FilePath);
        start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        using var child = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (acknowledged, seen) = (0, 0);
        while (seen < acknowledgementsBeforeKill && await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            acknowledged = int.Parse(line["ack ".Length..], CultureInfo.InvariantCulture);
            seen++;
        }

        seen.Should().Be(acknowledgementsBeforeKill, $"the child acknowledged its events (stderr: {(child.HasExited ? await child.StandardError.ReadToEndAsync() : "still running")})");

        // Mid-stream: the child goes on recording and committing while it is killed.
        await Task.Delay(seed * 7);
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync(timeout.Token);

        // Acknowledgements printed before the kill landed are acknowledged too.
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            acknowledged = int.Parse(line["ack ".Length..], CultureInfo.InvariantCulture);
        }

        acknowledged.Should().BeGreaterThan(0);
        return acknowledged;
    }

    private object Scalar(string sql)
    {
        using var raw = _file.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()!;
    }
}
