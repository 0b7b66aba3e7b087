using FeedbackLoop.Models;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>A model trained outside the loop judged by the loop's gate (IFeedbackLoop.ChallengeAsync).</summary>
public sealed class ChallengeTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AliasChange Host = new("host", "seed");
    private static readonly AliasChange Python = new("data-science", "retrained in Python on the export");
    private readonly SimulatedClock _time = new();
    private readonly InMemoryModelRegistry _registry;
    private readonly ScriptedTrainer _trainer;

    public ChallengeTests()
    {
        _registry = new InMemoryModelRegistry(_time);
        _trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
    }

    [Fact]
    public async Task Challenge_BetterModel_IsGatedRegisteredAndPromotedWithoutBeingRetrained()
    {
        await using var loop = Loop().Configure(o => o.RefitAfterGate = true).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 400);

        var report = await loop.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, null, None);

        report.Outcome.Should().Be(CycleOutcome.Promoted, report.ToString());
        report.Decision.Reason.Should().StartWith("challenge by data-science: retrained in Python on the export");
        report.TrainingExamples.Should().Be(0);
        report.HoldoutExamples.Should().Be(250, "HoldoutFraction 0.25 of the 1,000-label training window");
        report.Gate!.Passed.Should().BeTrue();
        report.Gate.CandidateMetrics["accuracy"].Should().BeGreaterThan(report.Gate.ChampionMetrics["accuracy"]);
        loop.Champion!.Version.Should().Be(2);
        loop.Champion.Lineage["promotion"].Should().Be("challenge");
        loop.Champion.Lineage.Should().NotContainKey("training.examples");
        _trainer.Calls.Should().Be(0, "the loop did not train the challenger, so it is not refitted after the gate either");
        ((ThresholdModel)await loop.LoadVersionAsync(2, None)).Threshold.Should().Be(0.5);
    }

    [Fact]
    public async Task Challenge_WorseModel_IsRejectedKeptAsChallengerAndLeavesTheLabelsToTheLoopsOwnRetrain()
    {
        await using var loop = Loop().Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 150);

        var report = await loop.ChallengeAsync(new ThresholdModel(0.9).ToTrainedModel(), Python, null, None);
        var challenger = await _registry.GetByAliasAsync("test", ModelAliases.Challenger, None);
        var next = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Rejected);
        loop.Champion!.Version.Should().Be(1);
        challenger!.Version.Should().Be(report.Candidate!.Version);
        next.Decision.ShouldRetrain.Should().BeTrue("the 150 labels were not consumed by the rejected challenge: {0}", next.Decision.Reason);
        _trainer.Calls.Should().Be(1);
    }

    [Fact]
    public async Task Challenge_HoldoutQuery_JudgesOnTheNamedLabelsOnly()
    {
        await using var loop = Loop().Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 100);
        var exportedAt = _time.GetUtcNow();
        LoopHarness.Traffic(loop, _time, 60, seed: 2);

        var report = await loop.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, new LabelledWindowQuery { From = exportedAt }, None);

        report.HoldoutExamples.Should().Be(60);
        report.Outcome.Should().Be(CycleOutcome.Rejected, "a model equal to the champion is not significantly better");
    }

    [Fact]
    public async Task Challenge_NoLabelledPredictionToJudgeOn_IsDeferredAndRegistersNothing()
    {
        await using var loop = Loop().Build();

        var report = await loop.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, null, None);

        report.Outcome.Should().Be(CycleOutcome.Deferred);
        report.Decision.Reason.Should().EndWith("deferred: no labelled prediction to judge the challenger on");
        (await _registry.ListVersionsAsync("test", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Challenge_ModelOfAnotherTaskOrAnArtifactThatDoesNotLoad_IsRefusedBeforeAnyCycle()
    {
        await using var loop = Loop().Build();

        await loop.Invoking(l => l.ChallengeAsync(new TrainedModel(new LineModel(0, 1), new byte[16], "line"), Python, null, None))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("candidate").WithMessage("*performs a regression task, but loop 'test' is binary*");
        await using var refusing = LoopHarness.Builder(_time).UseTrainer(_trainer, new RefusingLoader()).Build();
        await refusing.Invoking(l => l.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, null, None))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("candidate")
            .WithMessage("The challenger cannot be judged: its artifact does not load back (FormatException: not a model this loop can restore).*");
        await loop.Invoking(l => l.ChallengeAsync(null!, Python, null, None)).Should().ThrowAsync<ArgumentNullException>();
        await loop.Invoking(l => l.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), null!, null, None)).Should().ThrowAsync<ArgumentNullException>();
        (await _registry.ListVersionsAsync("test", None)).Should().BeEmpty();
        (await loop.RunCycleAsync(None)).Cycle.Should().Be(1, "no cycle ran for the refused challengers");
    }

    [Fact]
    public async Task Challenge_LoopWithoutALoaderOrAHoldoutOfNoExample_IsRefused()
    {
        await using var noLoader = LoopHarness.Builder(_time).UseTrainer(_trainer).Build();
        await using var loop = Loop().Build();

        await noLoader.Invoking(l => l.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, null, None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("Loop 'test' has no artifact loader, so a challenger could not be restored*");
        await loop.Invoking(l => l.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, new LabelledWindowQuery { MaxCount = 0 }, None))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("holdout");
    }

    [Fact]
    public async Task Challenge_LoaderFailingInAnyWay_IsAnArgumentErrorAndTheModelItLoadedBackIsDisposed()
    {
        var throwing = new DisposableLoader(fail: true);
        var loading = new DisposableLoader(fail: false);
        await using var failing = LoopHarness.Builder(_time).UseTrainer(_trainer, throwing).Build();
        await using var loop = LoopHarness.Builder(_time).UseTrainer(_trainer, loading).Build();

        await failing.Invoking(l => l.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, null, None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*does not load back (InvalidDataException: mapping column 2*");
        var report = await loop.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, null, None);

        report.Outcome.Should().Be(CycleOutcome.Deferred);
        loading.Loaded.Should().ContainSingle().Which.Disposed.Should().BeTrue("the model loaded back only to check it holds native memory in real loaders");
    }

    [Fact]
    public async Task Challenge_DisposedLoop_ThrowsObjectDisposedException()
    {
        var loop = Loop().Build();
        await loop.DisposeAsync();

        await loop.Invoking(l => l.ChallengeAsync(new ThresholdModel(0.5).ToTrainedModel(), Python, null, None)).Should().ThrowAsync<ObjectDisposedException>();
    }

    private FeedbackLoopBuilder Loop() => LoopHarness.Builder(_time).UseRegistry(_registry).UseTrainer(_trainer, _trainer)
        .RetrainWhen(Retrain.EveryNewLabels(100))
        .PromoteWhen(Gates.SignificantlyMoreAccurateThanChampion())
        .Configure(o => o.TrainingWindowSize = 1_000);

    private sealed class DisposableLoader(bool fail) : IModelArtifactLoader
    {
        public List<DisposableThreshold> Loaded { get; } = [];

        public IPredictor Load(Stream artifact, FeatureSchema schema)
        {
            if (fail)
            {
                throw new InvalidDataException("mapping column 2 of 2");
            }

            var model = new DisposableThreshold();
            Loaded.Add(model);
            return model;
        }
    }

    private sealed class DisposableThreshold : IPredictor, IDisposable
    {
        public bool Disposed { get; private set; }

        public ModelTask Task => ModelTask.Binary;

        public PredictionOutput Predict(FeatureVector features) => PredictionOutput.Binary(0.5);

        public void Dispose() => Disposed = true;
    }

    private sealed class RefusingLoader : IModelArtifactLoader
    {
        public IPredictor Load(Stream artifact, FeatureSchema schema) => throw new FormatException("not a model this loop can restore.");
    }
}
