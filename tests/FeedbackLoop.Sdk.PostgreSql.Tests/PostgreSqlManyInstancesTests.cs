using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FeedbackLoop.Samples.ManyInstances;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>
/// Several processes, one loop: instances of the many-instances sample's host (separate processes, not objects) share one
/// schema. Each host predicts its half of a seeded stream and receives the labels of the other half.
/// </summary>
public sealed partial class PostgreSqlManyInstancesTests : IDisposable
{
    private readonly TemporarySchema _schema = new();

    public void Dispose() => _schema.Dispose();

    [Fact]
    public async Task TwoProcesses_CrossedIngest_EachEventOnceAndEveryLabelJoined_OneTrainsPerCycle_BothServeThePromotionWithinASecond()
    {
        // Each training takes 4 s, so cycles the two start together overlap.
        await using var a = Start("a", 0, TimeSpan.FromSeconds(4));
        await using var b = Start("b", 1, TimeSpan.FromSeconds(4));
        await Task.WhenAll(a.ReadyAsync(), b.ReadyAsync());
        (await a.AskAsync("seed")).Should().Be("seeded v1");
        Milliseconds(await b.AskAsync("await-champion")).Should().BeLessThan(1_000, "b serves the seed a promoted");

        await Task.WhenAll(a.AskAsync("ingest 0 6000"), b.AskAsync("ingest 0 6000"));
        await Task.WhenAll(a.AskAsync("ingest-all 0 6000"), b.AskAsync("ingest-all 0 6000"));

        (await _schema.ScalarAsync("SELECT count(DISTINCT id) FROM {schema}.predictions;")).Should().Be(6_000L, "each prediction once, whoever received it and how often");
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.predictions;")).Should().Be(6_000L);
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.feedback;")).Should().Be(6_000L, "each label once");
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.feedback WHERE state = 0;")).Should().Be(6_000L, "every label joined its prediction, made by the other process");
        (await _schema.ScalarAsync("SELECT sum(labelled)::text || '/' || sum(orphans_pending)::text FROM {schema}.event_counts;")).Should().Be("6000/0");

        var cycles = await Task.WhenAll(a.AskAsync("cycle"), b.AskAsync("cycle"));
        var answered = Stopwatch.StartNew();
        cycles.Should().ContainSingle(c => c.StartsWith("cycle NotLeader", StringComparison.Ordinal), "one process leads the cycle, the other does not train");
        var led = cycles.Single(c => !c.StartsWith("cycle NotLeader", StringComparison.Ordinal));
        led.Should().StartWith("cycle Promoted").And.Contain("labels=6000", "the leader monitored both processes' labels");
        var follower = cycles[0] == led ? b : a;
        var champion = Regex.Match(led, "champion=(v[0-9]+)").Groups[1].Value;
        while (await follower.AskAsync("champion") != $"champion {champion}")
        {
            answered.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), $"the other process serves {champion} within a second of the promotion");
            await Task.Delay(10);
        }

        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.model_versions;")).Should().Be(2L, "the seed and the one candidate the leader trained");
    }

    [Fact]
    public async Task LeaderKilledDuringTraining_TheOtherTakesTheLeadInItsNextCycle_AndNoVersionIsHalfRegistered()
    {
        await using var a = Start("a", 0, TimeSpan.FromMinutes(10));
        await using var b = Start("b", 1, TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(a.ReadyAsync(), b.ReadyAsync());
        (await b.AskAsync("seed")).Should().Be("seeded v1");
        await a.AskAsync("await-champion");
        await Task.WhenAll(a.AskAsync("ingest 0 4000"), b.AskAsync("ingest 0 4000"));

        await a.SendAsync("cycle");
        await a.ReadUntilAsync("training");
        a.Kill();

        // The killed process's session ends with its socket; the lock passes at the latest a moment later.
        var waited = Stopwatch.StartNew();
        string report;
        while ((report = await b.AskAsync("cycle")).StartsWith("cycle NotLeader", StringComparison.Ordinal))
        {
            waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the lead of a killed process passes");
            await Task.Delay(100);
        }

        report.Should().MatchRegex("^cycle (Promoted|Rejected) ", "b led and trained");
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.model_versions;")).Should().Be(2L, "the seed and b's candidate: a registered nothing");
        (await _schema.ScalarAsync("SELECT bool_and(encode(sha256(artifact), 'hex') = artifact_sha256 AND artifact_size = length(artifact)) FROM {schema}.model_versions;"))
            .Should().Be(true, "every version is whole");
    }

    private static int Milliseconds(string answer) => int.Parse(AfterMilliseconds().Match(answer).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex("after ([0-9]+) ms")]
    private static partial Regex AfterMilliseconds();

    private InstanceProcess Start(string name, int index, TimeSpan trainDelay) =>
        InstanceProcess.Start(PostgreSqlServer.ConnectionString, _schema.Name, name, index, 2, trainDelay);
}
