using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Sqlite;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>A loop on a SQLite file, disposed and built again on the file, resumes exactly where it stopped.</summary>
public sealed class SqliteLoopRestartTests : IDisposable
{
    private const int Count = 16_000;
    private const int LabelDelay = 300;
    private const int CycleEvery = 500;
    private readonly TemporarySqliteFile _straight = new();
    private readonly TemporarySqliteFile _restarted = new();

    public void Dispose()
    {
        _straight.Dispose();
        _restarted.Dispose();
    }

    [Fact]
    public async Task Loop_RebuiltOnTheFileEvery7000Events_SameDetectionsDecisionsOutputsAndChampionAsOneRun()
    {
        var straight = await RunAsync(_straight, restartEvery: null);
        var restarted = await RunAsync(_restarted, restartEvery: 3_500);

        straight.Cycles.Should().Contain(c => c.Outcome == CycleOutcome.Promoted && c.Decision.Contains("drift", StringComparison.Ordinal),
            "the stream drifts, so the run detects it and retrains: the comparison below means something");
        restarted.Cycles.Should().Equal(straight.Cycles);
        restarted.Outputs.Should().Equal(straight.Outputs, "the same champion serves every prediction, the first after each restart included");
        restarted.Champion.Should().Be(straight.Champion);
        restarted.Statistics.Should().Be(straight.Statistics, "every label joined its prediction across the restarts, once");
    }

    [Fact]
    public async Task Loop_BuiltAgainOnTheFile_ServesTheChampion_JoinsLabelsOfEarlierPredictions_AndRecognisesDuplicates()
    {
        var time = new SimulatedClock();
        var stream = new RotatingHyperplaneStream(seed: 5, dimensions: 4, driftPoints: []);
        var samples = stream.Take(600).ToArray();
        Prediction early;
        Feedback label;
        ModelVersion champion;
        await using (var first = Build(_restarted, stream.Schema, time))
        {
            champion = await first.SeedAsync(History(stream.Schema, samples[..500]), new AliasChange("host", "seed"), CancellationToken.None);
            early = first.Predict(samples[500].Features);
            label = Feedback.GroundTruth(first.Predict(samples[501].Features).Id, samples[501].Label);
            first.RecordFeedback(label);
        }

        await using var second = Build(_restarted, stream.Schema, time);
        var served = second.Predict(samples[502].Features);
        second.RecordFeedback(Feedback.GroundTruth(early.Id, samples[500].Label));
        second.RecordFeedback(label);
        await second.FlushAsync(CancellationToken.None);
        var statistics = await second.GetStatisticsAsync(CancellationToken.None);

        second.Champion!.Version.Should().Be(champion.Version);
        served.ModelVersion.Should().Be(champion.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (statistics.Store.Predictions, statistics.Store.FeedbackJoined, statistics.Store.DuplicateFeedback).Should().Be((3L, 2L, 1L),
            "the label of a prediction made before the restart joined it, and the feedback delivered before it again is a duplicate");
    }

    [Fact]
    public async Task Loop_BuiltAgainOnAFileWhoseChampionArtifactWasTampered_RefusesItAndServesThePreviousChampion()
    {
        var time = new SimulatedClock();
        var stream = new RotatingHyperplaneStream(seed: 7, dimensions: 4, driftPoints: []);
        var samples = stream.Take(1_001).ToArray();
        var learner = Learners.LogisticRegression();
        ModelVersion first;
        await using (var loop = Build(_restarted, stream.Schema, time))
        {
            first = await loop.SeedAsync(History(stream.Schema, samples[..500]), new AliasChange("host", "seed"), CancellationToken.None);
            var second = await learner.TrainAsync(History(stream.Schema, samples[500..1_000]), CancellationToken.None);
            (await loop.PromoteAsync(second, new AliasChange("host", "retrained"), CancellationToken.None)).Version.Should().Be(2);
        }

        using (var raw = _restarted.OpenRaw())
        using (var tamper = raw.CreateCommand())
        {
            tamper.CommandText = "UPDATE model_versions SET artifact = zeroblob(length(artifact)) WHERE version = 2;";
            tamper.ExecuteNonQuery().Should().Be(1);
        }

        await using var restarted = Build(_restarted, stream.Schema, time);
        var prediction = restarted.Predict(samples[1_000].Features);

        restarted.Champion!.Version.Should().Be(first.Version, "version 2's artifact fails its SHA-256 check, so the champion before it serves");
        prediction.ModelVersion.Should().Be("1");
        var report = await restarted.RunCycleAsync(CancellationToken.None);
        report.Observed.ContainedFailures.Should().BeGreaterThan(0, "the refused champion is reported");
    }

    [Fact]
    public async Task Loop_ChampionTamperedAfterARollback_ServesTheVersionARollbackWouldReturnTo_NotTheOneRolledBack()
    {
        var time = new SimulatedClock();
        var stream = new RotatingHyperplaneStream(seed: 8, dimensions: 4, driftPoints: []);
        var samples = stream.Take(1_501).ToArray();
        var learner = Learners.LogisticRegression();
        await using (var loop = Build(_restarted, stream.Schema, time))
        {
            await loop.SeedAsync(History(stream.Schema, samples[..500]), new AliasChange("host", "v1"), CancellationToken.None);
            await loop.PromoteAsync(await learner.TrainAsync(History(stream.Schema, samples[500..1_000]), CancellationToken.None), new AliasChange("host", "v2"), CancellationToken.None);
            await loop.PromoteAsync(await learner.TrainAsync(History(stream.Schema, samples[1_000..1_500]), CancellationToken.None), new AliasChange("host", "v3"), CancellationToken.None);
            (await loop.RollbackAsync(new AliasChange("ops", "v3 is bad"), CancellationToken.None)).Version.Should().Be(2);
        }

        using (var raw = _restarted.OpenRaw())
        using (var tamper = raw.CreateCommand())
        {
            tamper.CommandText = "UPDATE model_versions SET artifact = zeroblob(length(artifact)) WHERE version = 2;";
            tamper.ExecuteNonQuery().Should().Be(1);
        }

        await using var restarted = Build(_restarted, stream.Schema, time);
        restarted.Predict(samples[1_500].Features).ModelVersion.Should().Be("1", "v3 was rolled back by an operator; v1 is what a rollback from v2 returns to");
    }

    private static IFeedbackLoop Build(TemporarySqliteFile file, FeatureSchema schema, SimulatedClock time) =>
        new FeedbackLoopBuilder("loop")
            .WithSchema(schema)
            .UseTimeProvider(time)
            .UseLearner(Learners.LogisticRegression())
            .UseSqlite(file.ConnectionString)
            .MonitorErrors(() => new Ddm(minimumInstances: 300))
            .MonitorFeatures()
            .RetrainWhen(Retrain.OnDrift().Or(Retrain.EveryNewLabels(4_000)))
            .Build();

    private static TrainingSet History(FeatureSchema schema, IEnumerable<LabelledSample> samples)
    {
        var history = TrainingSet.CreateBuilder(schema, ModelTask.Binary);
        foreach (var sample in samples)
        {
            history.Add(sample.Features, sample.Label, source: "history");
        }

        return history.Build();
    }

    private static async Task<RunResult> RunAsync(TemporarySqliteFile file, int? restartEvery)
    {
        var time = new SimulatedClock();
        var stream = new RotatingHyperplaneStream(seed: 11, dimensions: 6, driftPoints: [8_000], noise: 0.05);
        var loop = Build(file, stream.Schema, time);
        await loop.SeedAsync(History(stream.Schema, stream.Take(1_000)), new AliasChange("host", "initial"), CancellationToken.None);

        var samples = stream.Take(Count).ToArray();
        var ids = new PredictionId[Count];
        var cycles = new List<CycleSummary>();
        var outputs = new List<PredictionOutput>();
        for (var i = 0; i < Count; i++)
        {
            if (i > 0 && i % restartEvery == 0)
            {
                await loop.DisposeAsync();
                loop = Build(file, stream.Schema, time);
            }

            var prediction = loop.Predict(samples[i].Features);
            ids[i] = prediction.Id;
            outputs.Add(prediction.Output);
            if (i >= LabelDelay)
            {
                loop.RecordFeedback(Feedback.GroundTruth(ids[i - LabelDelay], samples[i - LabelDelay].Label));
            }

            time.Advance(TimeSpan.FromSeconds(1));
            if ((i + 1) % CycleEvery == 0)
            {
                var report = await loop.RunCycleAsync(CancellationToken.None);
                cycles.Add(new CycleSummary(
                    report.Cycle,
                    report.Outcome,
                    report.Decision.Reason,
                    report.Champion?.Version,
                    report.Candidate?.Version,
                    report.TrainingExamples,
                    report.Observed.LabelsSinceLastTraining,
                    string.Join("; ", report.Observed.DriftSignals.Select(s => $"{s.Monitor} {s.State} #{s.Observation} {s.DetectedAt:O}"))));
            }
        }

        await loop.FlushAsync(CancellationToken.None);
        var statistics = (await loop.GetStatisticsAsync(CancellationToken.None)).Store;
        var champion = loop.Champion?.Version;
        await loop.DisposeAsync();
        return new RunResult(cycles, outputs, champion, statistics);
    }

    private sealed record CycleSummary(long Cycle, CycleOutcome Outcome, string Decision, int? Champion, int? Candidate, int Training, long Labels, string Signals);

    private sealed record RunResult(List<CycleSummary> Cycles, List<PredictionOutput> Outputs, int? Champion, FeedbackLoop.Storage.EventStoreStatistics Statistics);
}
