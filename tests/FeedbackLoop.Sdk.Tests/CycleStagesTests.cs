using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>The cycle as stages over one context, with one failure handler and one commit from the final report.</summary>
public class CycleStagesTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AliasChange Host = new("host", "test");
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task RunCycleAsync_TrainerFails_CooldownDoesNotStartAndTheNextCycleTrainsAgain()
    {
        var fail = true;
        var trainer = new ScriptedTrainer(_ => fail ? throw new InvalidOperationException("out of memory") : new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer)
            .RetrainWhen(Retrain.EveryNewLabels(100).WithCooldown(TimeSpan.FromHours(1)))
            .Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);

        (await loop.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.Failed);
        fail = false;
        var retry = await loop.RunCycleAsync(None);

        retry.Outcome.Should().Be(CycleOutcome.Promoted, "a failed training is not a training: no cooldown started");
        trainer.Calls.Should().Be(3, "the failed training, the retry's candidate, and its refit on the whole window after the gate");
    }

    [Fact]
    public async Task RunCycleAsync_RegistryFailsAfterADrift_TheDriftAndLabelsStayForTheNextCycle()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var registry = new FailingRegistry(new InMemoryModelRegistry(_time));
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).UseRegistry(registry)
            .MonitorErrors(() => new DriftAfter(50))
            .RetrainWhen(Retrain.OnDrift())
            .Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);
        registry.Fail = true;

        var failed = await loop.RunCycleAsync(None);
        registry.Fail = false;
        var next = await loop.RunCycleAsync(None);

        failed.Outcome.Should().Be(CycleOutcome.Failed);
        failed.Failure.Should().StartWith("register failed");
        next.Observed.DriftSignals.Should().ContainSingle(s => s.State == DriftState.Drift, "the drift was not acted on, so it is still there");
        next.Observed.LabelsSinceLastTraining.Should().Be(failed.Observed.LabelsSinceLastTraining);
        next.Decision.Reason.Should().Contain("drift");
        next.Outcome.Should().Be(CycleOutcome.Promoted);
        (await loop.RunCycleAsync(None)).Observed.DriftSignals.Should().BeEmpty("a judged candidate consumes the drift it answered");
    }

    [Fact]
    public async Task RunCycleAsync_TrainerReturnsNull_FailsInTheTrainStage()
    {
        var trainer = new ScriptedTrainer(_ => null!);
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        LoopHarness.Traffic(loop, _time, 0);
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().StartWith("train failed").And.Contain("returned no model");
        report.Gate.Should().BeNull();
    }

    [Fact]
    public async Task RunCycleAsync_CandidateArtifactDoesNotLoad_NeitherRegisteredNorPromoted()
    {
        var registry = new InMemoryModelRegistry(_time);
        var trainer = new ScriptedTrainer(_ => new TrainedModel(new ThresholdModel(0.5), new byte[64], "garbage artifact"));
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, new StrictLoader()).UseRegistry(registry).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().StartWith("train failed").And.Contain("FormatException");
        (await registry.ListVersionsAsync("test", None)).Should().ContainSingle("the garbage candidate was never registered");
        loop.Champion!.Version.Should().Be(1);
    }

    [Fact]
    public async Task RollbackAsync_WhileATrainerRuns_DoesNotWaitAndTheCycleDoesNotOverwriteIt()
    {
        using var release = new ManualResetEventSlim();
        var trainer = new ScriptedTrainer(_ =>
        {
            release.Wait();
            return new ThresholdModel(0.5).ToTrainedModel();
        });
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        await loop.PromoteAsync(new ThresholdModel(0.7).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);
        var cycle = Task.Run(() => loop.RunCycleAsync(None));
        while (trainer.Calls == 0)
        {
            await Task.Delay(5);
        }

        var rollback = loop.RollbackAsync(new AliasChange("ops:alice", "bad release"), None);

        (await Task.WhenAny(rollback, Task.Delay(TimeSpan.FromSeconds(10)))).Should().BeSameAs(rollback, "a rollback never waits behind a training");
        (await rollback).Version.Should().Be(1);
        release.Set();
        var report = await cycle;
        report.Outcome.Should().Be(CycleOutcome.Rejected, "the candidate was gated against v2, which the host rolled back meanwhile");
        report.Decision.Reason.Should().Contain("champion changed during the cycle");
        loop.Champion!.Version.Should().Be(1);
    }

    [Fact]
    public async Task RollbackAsync_Twice_UndoesTwoPromotionsAndKeepsTheWholeHistoryWithActorsAndReasons()
    {
        var registry = new InMemoryModelRegistry(_time);
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).UseRegistry(registry).Build();
        for (var threshold = 1; threshold <= 3; threshold++)
        {
            await loop.PromoteAsync(new ThresholdModel(threshold / 10.0).ToTrainedModel(), new AliasChange("ci", $"release {threshold}"), None);
        }

        (await loop.RollbackAsync(new AliasChange("ops:alice", "v3 misbehaves"), None)).Version.Should().Be(2);
        (await loop.RollbackAsync(new AliasChange("ops:bob", "v2 too"), None)).Version.Should().Be(1);
        loop.Predict(Events.Vector(0.15)).ModelVersion.Should().Be("1");

        var history = await registry.GetAliasHistoryAsync("test", ModelAliases.Champion, None);
        history.Select(m => (m.FromVersion, m.ToVersion, m.Actor, m.Reason, m.IsRollback)).Should().Equal(
            (null, 1, "ci", "release 1", false),
            (1, 2, "ci", "release 2", false),
            (2, 3, "ci", "release 3", false),
            (3, 2, "ops:alice", "v3 misbehaves", true),
            (2, 1, "ops:bob", "v2 too", true));
        await loop.Invoking(l => l.RollbackAsync(Host, None)).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task AddCycleStage_VetoesAPromotionAfterTheGate()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var veto = new FreezeWindow();
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).AddCycleStage(veto).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        veto.SawGate.Should().BeTrue("the host's stage runs after the gate");
        report.Outcome.Should().Be(CycleOutcome.Rejected);
        report.Decision.Reason.Should().EndWith("change freeze");
        report.Candidate.Should().BeNull("the stage ended the cycle before registration");
        loop.Champion!.Version.Should().Be(1);
    }

    [Fact]
    public async Task AddCycleStage_Throws_CycleFailsNamingTheStageAndTheChampionServes()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).AddCycleStage(new ThrowingStage()).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().StartWith("fairness-check failed");
        loop.Predict(Events.Vector(0.9)).ModelVersion.Should().Be("1");
    }

    [Fact]
    public async Task DisposeAsync_DuringACycle_TheCycleFinishesAndLaterCyclesAreRefused()
    {
        using var entered = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var trainer = new ScriptedTrainer(_ =>
        {
            entered.Release();
            release.Wait();
            return new ThresholdModel(0.5).ToTrainedModel();
        });
        var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);
        var cycle = Task.Run(() => loop.RunCycleAsync(None));
        await entered.WaitAsync(TimeSpan.FromSeconds(10));

        var disposal = loop.DisposeAsync().AsTask();
        await Task.Delay(50);
        disposal.IsCompleted.Should().BeFalse("disposal waits for the running cycle");
        release.Set();

        (await cycle).Outcome.Should().Be(CycleOutcome.Promoted);
        await disposal;
        await loop.Invoking(l => l.RunCycleAsync(None)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task RunCycleAsync_StoreExpiryThrows_ReportedAsAFailedObserveStageNotThrown()
    {
        var store = new ExpiryFailingStore();
        await using var loop = LoopHarness.Builder(_time).UseStore(_ => store).Build();

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().StartWith("observe failed").And.Contain("disk full");
    }

    [Fact]
    public async Task Gate_ScoreMetricOnAModelWithoutScores_RefusesWithTheReasonInsteadOfScoringLabels()
    {
        var trainer = new ScriptedTrainer(_ => new TrainedModel(new LabelOnlyModel(), BitConverter.GetBytes(0.5), "labels only"));
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer)
            .PromoteWhen(FeedbackLoop.Promotion.Gates.NoWorseThanChampion(FeedbackLoop.Evaluation.Metric.RocAuc))
            .Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), Host, None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Rejected);
        report.Gate!.Reasons.Should().ContainSingle().Which.Should().Contain("no score").And.Contain("roc_auc");
    }

    private sealed class LabelOnlyModel : IPredictor
    {
        public ModelTask Task => ModelTask.Binary;

        public PredictionOutput Predict(FeatureVector features) => PredictionOutput.FromLabel(features.Numeric[0] >= 0.5);
    }

    private sealed class ExpiryFailingStore() : DelegatingEventStore(Events.TwoNumbers)
    {
        public override ValueTask<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken) => throw new IOException("disk full");
    }

    private sealed class FreezeWindow : ICycleStage
    {
        public bool SawGate { get; private set; }

        public string Name => "change-freeze";

        public ValueTask ExecuteAsync(CycleContext context, CancellationToken cancellationToken)
        {
            SawGate = context.Report.Gate is not null;
            context.Finish(CycleOutcome.Rejected, "change freeze");
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowingStage : ICycleStage
    {
        public string Name => "fairness-check";

        public ValueTask ExecuteAsync(CycleContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("service down");
    }

    private sealed class StrictLoader : IModelArtifactLoader
    {
        public IPredictor Load(Stream artifact, FeatureSchema schema) =>
            artifact.Length == 8 ? new ThresholdModel(ThresholdModel.ReadThreshold(artifact)) : throw new FormatException("not a threshold model");
    }

    /// <summary>Drift on the observation after <c>after</c>, once.</summary>
    private sealed class DriftAfter(int after) : IDriftDetector
    {
        private int _count;

        public DriftState State { get; private set; }

        public DriftState Update(double value) => State = ++_count == after ? DriftState.Drift : DriftState.None;

        public void Reset() => _count = 0;
    }
}
