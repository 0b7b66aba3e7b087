using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.State;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Tests;

/// <summary>A loop built again on the same stores resumes where the last one stopped.</summary>
public class RestartTests
{
    private const int Count = 16_000;
    private const int LabelDelay = 300;
    private const int CycleEvery = 500;

    [Fact]
    public async Task Loop_DisposedHalfWayAndBuiltAgainOnTheSameStores_SameDetectionsDecisionsAndChampionAsOneRun()
    {
        var uninterrupted = await RunAsync(restartAt: null);
        var restarted = await RunAsync(restartAt: 7_250);

        uninterrupted.Cycles.Should().Contain(c => c.Outcome == CycleOutcome.Promoted && c.Decision.Contains("drift", StringComparison.Ordinal),
            "the stream drifts, so the run detects it and retrains: the comparison below means something");
        var firstDifference = Enumerable.Range(0, Math.Min(restarted.Cycles.Count, uninterrupted.Cycles.Count))
            .FirstOrDefault(i => restarted.Cycles[i] != uninterrupted.Cycles[i], -1);
        firstDifference.Should().Be(-1, "the first cycle that differs is named here, to be read beside the two runs' reports");
        restarted.Cycles.Should().Equal(uninterrupted.Cycles);
        restarted.Outputs.Should().Equal(uninterrupted.Outputs, "the same champion serves every prediction");
        restarted.Champion.Should().Be(uninterrupted.Champion);
    }

    [Fact]
    public async Task StartAsync_ChampionInTheRegistry_LoadedAndServedByANewLoop()
    {
        var time = new SimulatedClock();
        var registry = new InMemoryModelRegistry(time);
        var stream = new RotatingHyperplaneStream(seed: 3, dimensions: 4, driftPoints: []);
        var learner = Learners.LogisticRegression();
        var model = await learner.TrainAsync(History(stream, 500), CancellationToken.None);
        await using (var first = Build(stream.Schema, time, registry, new InMemoryEventStore(new FeedbackStoreOptions(), stream.Schema), new InMemoryLoopStateStore()))
        {
            await first.PromoteAsync(model, new AliasChange("host", "first model"), CancellationToken.None);
        }

        await using var second = Build(stream.Schema, time, registry, new InMemoryEventStore(new FeedbackStoreOptions(), stream.Schema), new InMemoryLoopStateStore());
        var input = stream.Take(1).Single().Features;

        second.Predict(input).Output.Should().Be(model.Predictor.Predict(input), "the champion was loaded through the alias and the loader");
        second.Champion!.Version.Should().Be(1);
    }

    [Fact]
    public async Task StartAsync_CorruptSavedState_ContainedAndTheLoopStartsAfresh()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x1").Build();
        var states = new InMemoryLoopStateStore();
        await states.SaveAsync("loop", new SnapshotWriter("FeedbackLoopState", 1).Write(-5L).ToSnapshot(), 0, CancellationToken.None);
        await using var loop = Build(schema, new SimulatedClock(), new InMemoryModelRegistry(), new InMemoryEventStore(new FeedbackStoreOptions(), schema), states);

        await loop.StartAsync(CancellationToken.None);
        var report = await loop.RunCycleAsync(CancellationToken.None);

        report.Cycle.Should().Be(1);
        report.Observed.ContainedFailures.Should().Be(1);
    }

    [Fact]
    public async Task Predict_RegistryUnreachableAtStart_ThrowsInvalidOperationNamingTheCauseAndRecordsNothing()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x1").Build();
        var store = new InMemoryEventStore(new FeedbackStoreOptions(), schema);
        await using var loop = Build(schema, new SimulatedClock(), new UnreachableRegistry(), store, new InMemoryLoopStateStore());

        var act = () => loop.Predict(FeatureVector.Create(schema, [1.0]));

        act.Should().Throw<InvalidOperationException>().WithMessage("*could not start*registry down*StartAsync*");
        (await store.GetStatisticsAsync(CancellationToken.None)).Predictions.Should().Be(0);
    }

    private sealed class UnreachableRegistry : IModelRegistry
    {
        public Task<ModelVersion> RegisterAsync(ModelRegistration registration, CancellationToken cancellationToken) => throw Down();

        public Task<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken) => throw Down();

        public Task<ModelVersion?> GetByAliasAsync(string modelName, string aliasName, CancellationToken cancellationToken) => throw Down();

        public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken) => throw Down();

        public Task<AliasMove> SetAliasAsync(string modelName, string aliasName, int version, AliasChange change, CancellationToken cancellationToken) => throw Down();

        public Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string aliasName, CancellationToken cancellationToken) => throw Down();

        public Task<ModelVersion> RollbackAsync(string modelName, AliasChange change, CancellationToken cancellationToken) => throw Down();

        public Task<ReadOnlyMemory<byte>> GetArtifactAsync(string modelName, int version, CancellationToken cancellationToken) => throw Down();

        private static IOException Down() => new("registry down");
    }

    private static IFeedbackLoop Build(FeatureSchema schema, SimulatedClock time, IModelRegistry registry, InMemoryEventStore store, ILoopStateStore states) =>
        new FeedbackLoopBuilder("loop")
            .WithSchema(schema)
            .UseTimeProvider(time)
            .UseLearner(Learners.LogisticRegression())
            .UseStore(_ => store)
            .UseRegistry(registry)
            .UseStateStore(states)
            .MonitorErrors(() => new Ddm(minimumInstances: 300))
            .MonitorFeatures()
            .RetrainWhen(Retrain.OnDrift().Or(Retrain.EveryNewLabels(4_000)))
            .Build();

    private static TrainingSet History(RotatingHyperplaneStream stream, int count)
    {
        var history = TrainingSet.CreateBuilder(stream.Schema, ModelTask.Binary);
        foreach (var sample in stream.Take(count))
        {
            history.Add(sample.Features, sample.Label, source: "history");
        }

        return history.Build();
    }

    private static async Task<RunResult> RunAsync(int? restartAt)
    {
        var time = new SimulatedClock();
        var stream = new RotatingHyperplaneStream(seed: 11, dimensions: 6, driftPoints: [8_000], noise: 0.05);
        var store = new InMemoryEventStore(new FeedbackStoreOptions(), stream.Schema);
        var registry = new InMemoryModelRegistry(time);
        var states = new InMemoryLoopStateStore();
        var loop = Build(stream.Schema, time, registry, store, states);
        await loop.SeedAsync(History(stream, 1_000), new AliasChange("host", "initial"), CancellationToken.None);

        var samples = stream.Take(Count).ToArray();
        var ids = new PredictionId[Count];
        var cycles = new List<CycleSummary>();
        var outputs = new List<PredictionOutput>();
        for (var i = 0; i < Count; i++)
        {
            if (i == restartAt)
            {
                await loop.DisposeAsync();
                loop = Build(stream.Schema, time, registry, store, states);
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
                    string.Join("; ", report.Observed.DriftSignals.Select(s => $"{s.Monitor} {s.State} #{s.Observation} {s.DetectedAt:O}")),
                    string.Join("; ", report.Observed.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value:R}"))));
            }
        }

        var champion = loop.Champion?.Version;
        await loop.DisposeAsync();
        return new RunResult(cycles, outputs, champion);
    }

    private sealed record CycleSummary(
        long Cycle, CycleOutcome Outcome, string Decision, int? Champion, int? Candidate, int Training, long Labels, string Signals, string Metrics);

    private sealed record RunResult(List<CycleSummary> Cycles, List<PredictionOutput> Outputs, int? Champion);
}
