using System.Collections.Concurrent;
using FeedbackLoop.Drift;
using FeedbackLoop.Notifications;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Notifications;

public class LoopObserverTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task Observer_ReceivesTypedNotificationsOfPromotionsCyclesRollbacksAndDrift()
    {
        var observer = new RecordingObserver();
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).AddObserver(observer)
            .MonitorFeature("x2", () => new WarningAbove(10))
            .MonitorErrors(() => new WarningAbove(double.MaxValue))
            .Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);
        loop.RecordPrediction(new Prediction(PredictionId.New(), "test", "host", _time.GetUtcNow(), Events.Vector(0.5, 50), PredictionOutput.Binary(0.9)));

        await loop.RunCycleAsync(None);
        await loop.RollbackAsync(new AliasChange("ops", "check"), None);

        var kinds = observer.Received.Select(n => n.GetType().Name).ToList();
        kinds.Should().Equal("ModelPromoted", "DriftSignalled", "ModelTrained", "CandidateGated", "ModelTrained", "ModelPromoted", "ModelRolledBack");
        observer.Received.OfType<ModelTrained>().Select(t => t.TrainingExamples).Should().Equal([150, 200], "the candidate, then its refit on the holdout too");
        var promoted = observer.Received.OfType<ModelPromoted>().ToList();
        promoted[0].Replaced.Should().BeNull();
        promoted[1].Replaced.Should().Be(1);
        promoted[1].Change.Actor.Should().Be("feedback-loop");
        observer.Received.OfType<CandidateGated>().Single().Gate.Passed.Should().BeTrue();
        observer.Received.OfType<DriftSignalled>().Single().Signal.Monitor.Should().Be("feature:x2");
        var rolledBack = observer.Received.OfType<ModelRolledBack>().Single();
        (rolledBack.Version.Version, rolledBack.From, rolledBack.Change.Reason).Should().Be((1, 2, "check"));
        observer.Received.Should().OnlyContain(n => n.Loop == "test");
    }

    [Fact]
    public async Task Observer_Throws_ContainedAndTheLoopGoesOn()
    {
        await using var loop = LoopHarness.Builder(_time).AddObserver(new ThrowingObserver()).Build();

        var version = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        loop.Champion.Should().Be(version);
        (await loop.RunCycleAsync(None)).Observed.ContainedFailures.Should().Be(1);
    }

    private sealed class RecordingObserver : ILoopObserver
    {
        public ConcurrentQueue<LoopNotification> Received { get; } = new();

        public void OnNotification(LoopNotification notification) => Received.Enqueue(notification);
    }

    private sealed class ThrowingObserver : ILoopObserver
    {
        public void OnNotification(LoopNotification notification) => throw new InvalidOperationException("audit down");
    }

    /// <summary>A warning, not a drift: a drift would make the cycle train only on labels since it.</summary>
    private sealed class WarningAbove(double limit) : IDriftDetector
    {
        public DriftState State { get; private set; }

        public DriftState Update(double value) => State = value > limit ? DriftState.Warning : DriftState.None;

        public void Reset() => State = DriftState.None;
    }
}
