using FeedbackLoop.Drift;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.State;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>
/// Which labels a retrain after drift reads: those since the first drift signalled since the last training, and, when
/// its candidate is rejected, again once the labels since that drift have doubled (not 5,000 labels later).
/// </summary>
public class TrainSinceDriftTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task RejectedPostDriftCandidate_IsRetriedOnATwiceAsLargeWindowSinceTheSameDrift()
    {
        var gate = new ScriptedGate(reject: 1);
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = Loop(gate, trainer, new InMemoryLoopStateStore());
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 100);
        var rejected = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 60, seed: 2);
        var waiting = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 30, seed: 3);
        var retried = await loop.RunCycleAsync(None);

        var first = rejected.TrainingExamples + rejected.HoldoutExamples;
        rejected.Outcome.Should().Be(CycleOutcome.Rejected);
        first.Should().Be(81, "the drift came with the 20th label; the window since it holds labels 20 to 100");
        waiting.Outcome.Should().Be(CycleOutcome.NoAction, "60 of the 81 more labels the retry waits for have joined");
        retried.Outcome.Should().Be(CycleOutcome.Promoted, retried.ToString());
        (retried.TrainingExamples + retried.HoldoutExamples).Should().Be(171, "the same drift, with every label since it");
        retried.Decision.Reason.Should().Contain("drift on errors");
    }

    [Fact]
    public async Task PendingRetry_SurvivesARestart()
    {
        var state = new InMemoryLoopStateStore();
        var registry = new InMemoryModelRegistry(_time);
        var store = new DelegatingEventStore(Events.TwoNumbers);
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using (var first = Loop(new ScriptedGate(reject: 1), trainer, state, registry, store))
        {
            await first.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
            LoopHarness.Traffic(first, _time, 100);
            (await first.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.Rejected);
        }

        await using var second = Loop(new ScriptedGate(reject: 0), trainer, state, registry, store);
        LoopHarness.Traffic(second, _time, 85, seed: 2);
        var retried = await second.RunCycleAsync(None);

        retried.Outcome.Should().Be(CycleOutcome.Promoted, "the retry and its count were saved with the loop's state");
        retried.Decision.Reason.Should().Contain("drift on errors");
    }

    [Fact]
    public async Task SeveralDriftSignalsBeforeACycle_TrainsSinceTheFirst()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftAt(20, 90))
            .RetrainWhen(Retrain.OnDrift()).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 100);

        var report = await loop.RunCycleAsync(None);

        report.Observed.DriftSignals.Should().HaveCount(2);
        report.Outcome.Should().Be(CycleOutcome.Promoted, "since the second signal only 11 labels exist, fewer than the 50 a training needs");
        (report.TrainingExamples + report.HoldoutExamples).Should().Be(81);
    }

    private IFeedbackLoop Loop(ScriptedGate gate, ScriptedTrainer trainer, ILoopStateStore state, IModelRegistry? registry = null, DelegatingEventStore? store = null)
    {
        var builder = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftAt(20))
            .RetrainWhen(Retrain.OnDrift()).PromoteWhen(gate).UseStateStore(state);
        builder = registry is null ? builder : builder.UseRegistry(registry);
        return (store is null ? builder : builder.UseStore(_ => store)).Build();
    }

    /// <summary>Signals a drift on each of the given values (1-based), and only there; restorable so that a restart keeps it quiet.</summary>
    private sealed class DriftAt(params long[] at) : IRestorableDriftDetector
    {
        private long _seen;

        public DriftState State { get; private set; }

        public DriftState Update(double value) => State = Array.IndexOf(at, ++_seen) >= 0 ? DriftState.Drift : DriftState.None;

        public void Reset() => (_seen, State) = (0, DriftState.None);

        public StateSnapshot Snapshot() => new SnapshotWriter(nameof(DriftAt), 1).Write(_seen).ToSnapshot();

        public void Restore(StateSnapshot snapshot)
        {
            var reader = SnapshotReader.Open(snapshot, nameof(DriftAt), 1);
            _seen = reader.ReadInt64();
            reader.End();
        }
    }

    /// <summary>Rejects the first <paramref name="reject"/> candidates, then passes every one.</summary>
    private sealed class ScriptedGate(int reject) : IPromotionGate
    {
        private int _left = reject;

        public ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new GateResult(_left-- <= 0, ["scripted"], new Dictionary<string, double>(), new Dictionary<string, double>()));
    }
}
