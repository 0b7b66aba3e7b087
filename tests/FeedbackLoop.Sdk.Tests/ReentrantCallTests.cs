using FeedbackLoop.Models;
using FeedbackLoop.Notifications;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>
/// A plug-in that calls back into its own loop with a call that would wait for the plug-in itself (disposal, a cycle,
/// a flush from the consumer) gets an exception at once, contained like any plug-in failure, instead of a deadlock.
/// </summary>
public class ReentrantCallTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task CycleStage_DisposingOrCyclingItsOwnLoop_FailsTheCycleInsteadOfDeadlocking()
    {
        var stage = new CallingStage();
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).AddCycleStage(stage).Build();
        stage.Call = () => loop.Dispose();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var disposing = await loop.RunCycleAsync(None).WaitAsync(Deadline);
        stage.Call = () => loop.RunCycleAsync(None).GetAwaiter().GetResult();
        var cycling = await loop.RunCycleAsync(None).WaitAsync(Deadline);

        disposing.Outcome.Should().Be(CycleOutcome.Failed);
        disposing.Failure.Should().Contain("Dispose was called from inside loop 'test''s own cycle");
        cycling.Failure.Should().Contain("RunCycleAsync was called from inside loop 'test''s own cycle");
        loop.Invoking(l => l.Predict(Events.Vector())).Should().NotThrow("the loop was not disposed");
        await loop.DisposeAsync().AsTask().WaitAsync(Deadline);
    }

    [Fact]
    public async Task Sink_FlushingOrDisposingItsOwnLoop_IsContainedAndTheHostsFlushReturns()
    {
        var sink = new CallingSink();
        await using var loop = LoopHarness.Builder(_time).AddBatchedSink(sink).Build();
        sink.Calls =
        [
            () => loop.FlushAsync(None).GetAwaiter().GetResult(),
            () => loop.ExportLabelledWindowAsync(new MemoryStream(), null, None).GetAwaiter().GetResult(),
            () => loop.Dispose(),
        ];
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 10);
        await loop.FlushAsync(None).WaitAsync(Deadline);

        sink.Refusals.Should().NotBeEmpty().And.OnlyContain(m => m.Contains("from inside loop 'test''s own event consumer"));
        sink.Refusals.Should().Contain(m => m.StartsWith("FlushAsync")).And.Contain(m => m.StartsWith("ExportLabelledWindowAsync"))
            .And.Contain(m => m.StartsWith("Dispose"));
        (await loop.GetStatisticsAsync(None)).Store.FeedbackJoined.Should().Be(10);
    }

    [Fact]
    public async Task AnotherLoop_MayBeDisposedFromACycleStage()
    {
        var other = LoopHarness.Builder(_time, "other").Build();
        var stage = new CallingStage { Call = () => other.Dispose() };
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).AddCycleStage(stage).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None).WaitAsync(Deadline);

        report.Outcome.Should().Be(CycleOutcome.Promoted, report.ToString());
        await other.Invoking(l => l.FlushAsync(None)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Observer_RollingBackAPromotionItWasToldOf_DoesNotWaitForTheSwapLock()
    {
        var observer = new RollingBackObserver();
        await using var loop = LoopHarness.Builder(_time).AddObserver(observer).Build();
        observer.Loop = loop;
        var first = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        await loop.PromoteAsync(new ThresholdModel(0.9).ToTrainedModel(), new AliasChange("host", "suspicious"), None).WaitAsync(Deadline);

        observer.RolledBack.Should().NotBeNull();
        observer.RolledBack!.Version.Should().Be(first.Version);
        loop.Champion.Should().Be(first);
    }

    [Fact]
    public async Task ConcurrentPromotions_ObserverBlockedOnTheFirst_SeesEveryMoveInTheOrderOfTheMoves()
    {
        var observer = new BlockingObserver();
        await using var loop = LoopHarness.Builder(_time).AddObserver(observer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        observer.BlockOn = "A";

        var first = Task.Run(() => loop.PromoteAsync(new ThresholdModel(0.6).ToTrainedModel(), new AliasChange("host", "A"), None));
        observer.Blocked.Wait(Deadline).Should().BeTrue("the observer is told of A and holds on to it");
        var second = await loop.PromoteAsync(new ThresholdModel(0.7).ToTrainedModel(), new AliasChange("host", "B"), None).WaitAsync(Deadline);
        observer.Release.Set();
        await first.WaitAsync(Deadline);

        observer.Seen.Select(p => p.Change.Reason).Should().Equal("initial", "A", "B");
        observer.Seen[^1].Version.Should().Be(second).And.Be(loop.Champion, "an observer that follows the moves ends with the champion");
    }

    [Fact]
    public async Task SinkTaskThatOutlivesItsCallback_MayRunACycle()
    {
        var callbackReturned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<CycleReport>? later = null;
        var sink = new CallingSink();
        await using var loop = LoopHarness.Builder(_time).AddBatchedSink(sink).Build();
        sink.Calls = [() => later ??= Task.Run(async () =>
        {
            await callbackReturned.Task;
            return await loop.RunCycleAsync(None);
        })];
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 5);
        await loop.FlushAsync(None).WaitAsync(Deadline);
        callbackReturned.SetResult();
        var report = await later!.WaitAsync(Deadline);

        report.Outcome.Should().Be(CycleOutcome.NoAction, "the sink's callback had returned, so nothing waits for this cycle");
    }

    [Fact]
    public async Task NestedCycles_StageOfAnotherLoopDisposingTheOuterLoop_IsRefused()
    {
        var outerStage = new CallingStage();
        var innerStage = new CallingStage();
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var outer = LoopHarness.Builder(_time, "outer").UseTrainer(trainer, trainer).AddCycleStage(outerStage).Build();
        await using var inner = LoopHarness.Builder(_time, "inner").UseTrainer(trainer, trainer).AddCycleStage(innerStage).Build();
        CycleReport? innerReport = null;
        outerStage.Call = () => innerReport = inner.RunCycleAsync(None).GetAwaiter().GetResult();
        innerStage.Call = () => outer.Dispose();
        foreach (var loop in new[] { outer, inner })
        {
            await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
            LoopHarness.Traffic(loop, _time, 200);
        }

        var outerReport = await outer.RunCycleAsync(None).WaitAsync(Deadline);

        innerReport!.Failure.Should().Contain("Dispose was called from inside loop 'outer''s own cycle");
        outerReport.Outcome.Should().Be(CycleOutcome.Promoted, outerReport.ToString());
        await outer.DisposeAsync().AsTask().WaitAsync(Deadline);
    }

    private sealed class BlockingObserver : ILoopObserver
    {
        public string? BlockOn { get; set; }

        public ManualResetEventSlim Blocked { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public List<ModelPromoted> Seen { get; } = [];

        public void OnNotification(LoopNotification notification)
        {
            if (notification is not ModelPromoted promoted)
            {
                return;
            }

            // Holds on to the move before taking note of it, as an observer that writes to a slow audit log would.
            if (promoted.Change.Reason == BlockOn)
            {
                Blocked.Set();
                Release.Wait(Deadline);
            }

            lock (Seen)
            {
                Seen.Add(promoted);
            }
        }
    }

    private sealed class RollingBackObserver : ILoopObserver
    {
        public IFeedbackLoop? Loop { get; set; }

        public ModelVersion? RolledBack { get; private set; }

        public void OnNotification(LoopNotification notification)
        {
            if (notification is ModelPromoted { Change.Reason: "suspicious" })
            {
                RolledBack = Loop!.RollbackAsync(new AliasChange("guard", "suspicious promotion"), None).GetAwaiter().GetResult();
            }
        }
    }

    private sealed class CallingStage : ICycleStage
    {
        public Action Call { get; set; } = () => { };

        public string Name => "calls-back";

        public ValueTask ExecuteAsync(CycleContext context, CancellationToken cancellationToken)
        {
            Call();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class CallingSink : IBatchedFeedbackSink
    {
        public Action[] Calls { get; set; } = [];

        public List<string> Refusals { get; } = [];

        public ValueTask EmitBatchAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            foreach (var call in Calls)
            {
                try
                {
                    call();
                }
                catch (InvalidOperationException exception)
                {
                    Refusals.Add(exception.Message);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
