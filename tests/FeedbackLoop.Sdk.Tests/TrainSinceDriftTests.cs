using FeedbackLoop.Drift;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.State;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>
/// Which labels a retrain after drift reads: those since the first drift signalled since the last training, and again
/// once the labels since that drift have doubled, whether its candidate was rejected or promoted (not 5,000 labels
/// later); and when the loop asks for that cycle (<see cref="IFeedbackLoop.WhenCycleDueAsync"/>).
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
    public async Task PostDriftCandidateOnAMoreThanHalfFullWindow_RetriedAfterHalfAWindowOfLabels()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftAt(20))
            .RetrainWhen(Retrain.OnDrift()).PromoteWhen(new ScriptedGate(reject: 1)).Configure(o => o.TrainingWindowSize = 100).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 100);
        var rejected = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 49, seed: 2);
        var waiting = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 1, seed: 3);
        var retried = await loop.RunCycleAsync(None);

        (rejected.TrainingExamples + rejected.HoldoutExamples).Should().Be(81);
        waiting.Outcome.Should().Be(CycleOutcome.NoAction, "the retry waits for half a window (50 labels), not for 81 more");
        retried.Decision.Reason.Should().Contain("drift on errors");
        (retried.TrainingExamples + retried.HoldoutExamples).Should().Be(100, "131 labels since the drift, the newest full window of them");
    }

    [Fact]
    public async Task ScheduledRetrainLongAfterADrift_TrainsOnTheLabelsSinceItLessTheFirstWindow_UpToTheStableWindow()
    {
        var reports = await CyclesAfterTrafficAsync(new ScriptedGate(reject: 0), label => label == 20, 100, 100, 50, 300);
        var (afterDrift, retry, settled, stable) = (reports[0], reports[1], reports[2], reports[3]);

        (afterDrift.TrainingExamples + afterDrift.HoldoutExamples).Should().Be(81, "since the drift at the 20th label");
        retry.Decision.Reason.Should().Contain("drift on errors", "the post-drift retry, on the newest full window");
        (retry.TrainingExamples + retry.HoldoutExamples).Should().Be(100);
        settled.Decision.Reason.Should().Contain("drift on errors", "181 labels since the drift: the newest window still held some of the first 100, so the drift asked again after half a window");
        (settled.TrainingExamples + settled.HoldoutExamples).Should().Be(100);
        stable.Decision.Reason.Should().NotContain("drift on errors", "231 labels since the drift: the last retry's window had left the first behind");
        (stable.TrainingExamples + stable.HoldoutExamples).Should().Be(250, "531 labels since the drift less the first window of 100 is 431, capped at StableTrainingWindowSize");
    }

    [Fact]
    public async Task RejectedPostDriftCandidate_LeavesTheLabelsCounted_SoTheScheduledRetrainIsNotPostponed()
    {
        var reports = await CyclesAfterTrafficAsync(new ScriptedGate(reject: 1), label => label == 20, 100, 30);
        var (afterDrift, scheduled) = (reports[0], reports[1]);

        afterDrift.Outcome.Should().Be(CycleOutcome.Rejected);
        (afterDrift.TrainingExamples + afterDrift.HoldoutExamples).Should().Be(81, "since the drift at the 20th label");
        scheduled.Decision.Reason.Should().Be("130 new labels (threshold 100)",
            "the rejected candidate learned only the labels since the drift and the champion is as old as before: the 100 labels it saw still count");
        (scheduled.TrainingExamples + scheduled.HoldoutExamples).Should().Be(100, "the newest full window, not only the labels since the drift");
    }

    [Fact]
    public async Task CandidateOnMoreLabelsSinceTheChampionsDrift_ExtendsTheChampion_AndItsLineageNamesTheDrift()
    {
        var gate = new RecordingGate();
        var reports = await CyclesAfterTrafficAsync(gate, label => label is 20 or 750, 100, 100, 50, 300, 300);
        var (afterDrift, retry, settled, stable, newDrift) = (reports[0], reports[1], reports[2], reports[3], reports[4]);

        gate.Extends.Should().Equal(
            [false, true, false, true, false],
            "the host's champion names no drift; 100 labels since the drift extend the champion of 81, another 100 do not extend one of 100, 250 extend it; 100 since a new drift do not extend one of 250");
        var drift = afterDrift.Observed.DriftSignals.Single(s => s.State == DriftState.Drift).DetectedAt;
        foreach (var report in new[] { afterDrift, retry, settled, stable })
        {
            report.Candidate!.Lineage["training.since"].Should().Be(drift.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }

        newDrift.Candidate!.Lineage["training.since"].Should().NotBe(afterDrift.Candidate!.Lineage["training.since"]);
        (newDrift.TrainingExamples + newDrift.HoldoutExamples).Should().BeLessThan(250);
    }

    [Fact]
    public async Task RetryOnAsManyNewerLabelsWhileTheChangeMayStillMove_ExtendsTheChampion_NotOnceTwoWindowsHaveJoined()
    {
        var gate = new RecordingGate();
        var reports = await CyclesAfterTrafficAsync(gate, label => label == 20, 100, 50, 50, 50);

        reports.Select(r => r.TrainingExamples + r.HoldoutExamples).Should().Equal(81, 100, 100, 100);
        gate.Extends.Should().Equal(
            [false, true, true, false],
            "100 labels since the drift extend the champion of 81; at 181 labels since the drift (fewer than two windows) the newest 100 extend the champion of 100 before them; at 231 the change has had two windows to settle, and 100 labels do not extend a champion of 100");
    }

    [Fact]
    public async Task ChampionWhoseLineageTimesDoNotParse_IsNotExtended_AndTheCycleIsStillGated()
    {
        var gate = new RecordingGate();
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var registry = new FailingRegistry(new InMemoryModelRegistry(_time))
        {
            Rewrite = r => r with { Lineage = new Dictionary<string, string>(r.Lineage) { ["training.since"] = "not a time", ["training.from"] = "" } },
        };
        var labels = 0;
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftWhen(() => ++labels == 20))
            .RetrainWhen(Retrain.OnDrift()).PromoteWhen(gate).UseRegistry(registry).Configure(o => o.TrainingWindowSize = 100).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 100);
        var first = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 100, seed: 2);
        var retry = await loop.RunCycleAsync(None);

        (first.Outcome, retry.Outcome).Should().Be((CycleOutcome.Promoted, CycleOutcome.Promoted));
        (retry.TrainingExamples + retry.HoldoutExamples).Should().Be(100, "the retry since the same drift, on more labels than the champion's 81");
        gate.Extends.Should().Equal([false, false], "a champion's lineage whose drift time does not parse names no drift the candidate could continue");
    }

    [Fact]
    public async Task RetryPromotedSinceTheChampionsDrift_ContinuesItsErrorDetector_WhileTheFirstAfterTheDriftStartsAfresh()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var labels = 0;
        var detectors = new List<CountingDetector>();
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer)
            .MonitorErrors(() =>
            {
                var detector = new CountingDetector(() => ++labels == 20);
                detectors.Add(detector);
                return detector;
            })
            .RetrainWhen(Retrain.OnDrift()).PromoteWhen(new ScriptedGate(reject: 0)).Configure(o => o.TrainingWindowSize = 100).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 100);
        var afterDrift = await loop.RunCycleAsync(None);
        var firstAfterDrift = detectors[^1];
        LoopHarness.Traffic(loop, _time, 100, seed: 2);
        var retry = await loop.RunCycleAsync(None);

        (afterDrift.Outcome, retry.Outcome).Should().Be((CycleOutcome.Promoted, CycleOutcome.Promoted));
        firstAfterDrift.Seen.Should().Be(100, "the first champion after the drift measured its own errors from nothing");
        detectors[^1].Should().NotBeSameAs(firstAfterDrift);
        detectors[^1].Seen.Should().Be(100, "the retry learned the same concept: its detector goes on from the 100 errors the one it replaced had seen");
    }

    [Fact]
    public async Task ScheduledCandidateBeforeAnyDrift_DoesNotExtendTheChampion_AndNamesNoDrift()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var gate = new RecordingGate();
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftAt())
            .RetrainWhen(Retrain.EveryNewLabels(100)).PromoteWhen(gate).Configure(o => o.TrainingWindowSize = 100).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 100);
        var first = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 200, seed: 2);
        var second = await loop.RunCycleAsync(None);

        gate.Extends.Should().Equal([false, false], "no window was read since a drift, however many labels the second holds");
        first.Candidate!.Lineage.Should().NotContainKey("training.since");
        second.Candidate!.Lineage.Should().NotContainKey("training.since");
    }

    [Fact]
    public async Task LatestDriftRetrainedFor_SurvivesARestart_SoTheStableWindowStillStartsAfterIt()
    {
        var (state, registry, store) = (new InMemoryLoopStateStore(), new InMemoryModelRegistry(_time), new DelegatingEventStore(Events.TwoNumbers));
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var labels = 0;
        IFeedbackLoop Build() => LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftWhen(() => ++labels == 20))
            .RetrainWhen(Retrain.OnDrift().Or(Retrain.EveryNewLabels(100))).PromoteWhen(new ScriptedGate(reject: 0))
            .Configure(o => (o.TrainingWindowSize, o.StableTrainingWindowSize) = (100, 250))
            .UseStateStore(state).UseRegistry(registry).UseStore(_ => store).Build();
        await using (var first = Build())
        {
            await first.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
            LoopHarness.Traffic(first, _time, 100);
            await first.RunCycleAsync(None);
            LoopHarness.Traffic(first, _time, 100, seed: 2);
            await first.RunCycleAsync(None);
        }

        await using var second = Build();
        LoopHarness.Traffic(second, _time, 50, seed: 3);
        var settled = await second.RunCycleAsync(None);
        LoopHarness.Traffic(second, _time, 300, seed: 4);
        var stable = await second.RunCycleAsync(None);

        settled.Decision.Reason.Should().Contain("drift on errors", "the retry the first instance left pending");
        (stable.TrainingExamples + stable.HoldoutExamples).Should().Be(250, "the restarted loop knows the drift it retrained for: 431 labels since it, capped");
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
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 100);

        var report = await loop.RunCycleAsync(None);

        report.Observed.DriftSignals.Should().HaveCount(2);
        report.Outcome.Should().Be(CycleOutcome.Promoted, "since the second signal only 11 labels exist, fewer than the 50 a training needs");
        (report.TrainingExamples + report.HoldoutExamples).Should().Be(81);
    }

    [Fact]
    public async Task PromotedPostDriftCandidate_IsRefreshedOnATwiceAsLargeWindowSinceTheSameDrift()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var labels = 0;
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).RetrainWhen(Retrain.OnDrift())
            .MonitorErrors(() => new DriftWhen(() => ++labels == 20)) // one drift in the whole run, whichever version serves
            .PromoteWhen(new ScriptedGate(reject: 0))
            .Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 100);
        var first = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 80, seed: 2);
        var waiting = await loop.RunCycleAsync(None);
        LoopHarness.Traffic(loop, _time, 1, seed: 3);
        var refreshed = await loop.RunCycleAsync(None);

        first.Outcome.Should().Be(CycleOutcome.Promoted);
        (first.TrainingExamples + first.HoldoutExamples).Should().Be(81);
        waiting.Outcome.Should().Be(CycleOutcome.NoAction, "80 of the 81 more labels have joined");
        refreshed.Outcome.Should().Be(CycleOutcome.Promoted, refreshed.ToString());
        (refreshed.TrainingExamples + refreshed.HoldoutExamples).Should().Be(162, "the same drift, with every label since it");
    }

    [Fact]
    public async Task WhenCycleDue_CompletesOnceTheLabelsSinceTheDriftSufficeForATraining()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = Loop(new ScriptedGate(reject: 0), trainer, new InMemoryLoopStateStore());
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 68);
        await loop.FlushAsync(None);
        var beforeEnough = loop.WhenCycleDueAsync(None).IsCompleted;
        LoopHarness.Traffic(loop, _time, 1, seed: 2);
        await loop.FlushAsync(None);
        var due = loop.WhenCycleDueAsync(None);

        beforeEnough.Should().BeFalse("the drift came with label 20; labels 20 to 68 are 49, one short of the 50 a training needs");
        due.IsCompleted.Should().BeTrue();
        var report = await loop.RunCycleAsync(None);
        report.Outcome.Should().Be(CycleOutcome.Promoted, "the cycle it asked for was not deferred");
        (report.TrainingExamples + report.HoldoutExamples).Should().Be(50);
        loop.WhenCycleDueAsync(None).IsCompleted.Should().BeFalse("the cycle answered the announcement");
    }

    [Fact]
    public async Task WhenCycleDue_AsksOncePerDrift_AndAgainWhenARetryComesDue()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = Loop(new ScriptedGate(reject: 1), trainer, new InMemoryLoopStateStore());
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 100);
        await loop.FlushAsync(None);
        var awaited = loop.WhenCycleDueAsync(None);
        (await loop.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.Rejected);

        LoopHarness.Traffic(loop, _time, 80, seed: 2);
        await loop.FlushAsync(None);
        var beforeRetry = loop.WhenCycleDueAsync(None).IsCompleted;
        LoopHarness.Traffic(loop, _time, 1, seed: 3);
        await loop.FlushAsync(None);

        awaited.IsCompleted.Should().BeTrue();
        beforeRetry.Should().BeFalse("the rejected drift waits for 81 more labels and no new drift came");
        loop.WhenCycleDueAsync(None).IsCompleted.Should().BeTrue("the retry came due");
        (await loop.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.Promoted);
    }

    [Fact]
    public async Task WhenCycleDue_AHostWaitingForItIsWokenByTheConsumer()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = Loop(new ScriptedGate(reject: 0), trainer, new InMemoryLoopStateStore());
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        var waiting = loop.WhenCycleDueAsync(None);

        LoopHarness.Traffic(loop, _time, 69);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        waiting.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task WhenCycleDue_ADriftNotYetTrainedForAtARestart_AsksForACycleAtOnce()
    {
        var state = new InMemoryLoopStateStore();
        var registry = new InMemoryModelRegistry(_time);
        var store = new DelegatingEventStore(Events.TwoNumbers);
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using (var first = Loop(new ScriptedGate(reject: 0), trainer, state, registry, store))
        {
            await first.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
            LoopHarness.Traffic(first, _time, 30);
            await first.FlushAsync(None);
            first.WhenCycleDueAsync(None).IsCompleted.Should().BeFalse();
        }

        await using var second = Loop(new ScriptedGate(reject: 0), trainer, state, registry, store);
        LoopHarness.Traffic(second, _time, 1, seed: 2);
        await second.FlushAsync(None);

        second.WhenCycleDueAsync(None).IsCompleted.Should().BeTrue("the saved drift has waited across the restart");
    }

    [Fact]
    public async Task WhenCycleDue_AnnouncedCycleDeferredByLateLabels_LeavesTheDriftToTheNextScheduledCycle()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = Loop(new ScriptedGate(reject: 0), trainer, new InMemoryLoopStateStore());
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        var predictions = new List<(Prediction Prediction, bool Label)>();
        for (var i = 0; i < 100; i++)
        {
            predictions.Add((loop.Predict(Events.Vector(i / 100.0)), i >= 50));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // Labels newest first: the drift comes with the 20th, prediction 80, and only 20 predictions follow it.
        foreach (var (prediction, label) in Enumerable.Reverse(predictions))
        {
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, label));
        }

        await loop.FlushAsync(None);
        loop.WhenCycleDueAsync(None).IsCompleted.Should().BeTrue();
        (await loop.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.Deferred, "the window since the drift holds 20 of the 50 examples a training needs");
        LoopHarness.Traffic(loop, _time, 50, seed: 2);
        await loop.FlushAsync(None);

        loop.WhenCycleDueAsync(None).IsCompleted.Should().BeFalse("the drift was announced once");
        var scheduled = await loop.RunCycleAsync(None);
        scheduled.Outcome.Should().Be(CycleOutcome.Promoted, "the drift stayed pending for the host's next cycle");
        scheduled.Decision.Reason.Should().Contain("drift on errors");
    }

    [Fact]
    public async Task WhenCycleDue_LoopDisposed_TheWaitEndsAndNewWaitsAreRefused()
    {
        var loop = Loop(new ScriptedGate(reject: 0), new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel()), new InMemoryLoopStateStore());
        var waiting = loop.WhenCycleDueAsync(None);

        await loop.DisposeAsync();

        await waiting.Invoking(t => t).Should().ThrowAsync<ObjectDisposedException>();
        FluentActions.Invoking(() => { _ = loop.WhenCycleDueAsync(None); }).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task WhenCycleDue_CancelledWait_Throws()
    {
        await using var loop = Loop(new ScriptedGate(reject: 0), new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel()), new InMemoryLoopStateStore());
        using var cancelled = new CancellationTokenSource();
        var waiting = loop.WhenCycleDueAsync(cancelled.Token);

        await cancelled.CancelAsync();

        await waiting.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
    }

    private IFeedbackLoop Loop(ScriptedGate gate, ScriptedTrainer trainer, ILoopStateStore state, IModelRegistry? registry = null, DelegatingEventStore? store = null)
    {
        var builder = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftAt(20))
            .RetrainWhen(Retrain.OnDrift()).PromoteWhen(gate).UseStateStore(state);
        builder = registry is null ? builder : builder.UseRegistry(registry);
        return (store is null ? builder : builder.UseStore(_ => store)).Build();
    }

    /// <summary>
    /// Runs a cycle after each batch of traffic through a loop whose window is 100 labels (250 on a stable concept), that
    /// signals a drift on the labels <paramref name="driftAt"/> picks (1-based) and retrains on drift or every 100 labels,
    /// from a champion the host promoted.
    /// </summary>
    private async Task<List<CycleReport>> CyclesAfterTrafficAsync(IPromotionGate gate, Func<int, bool> driftAt, params int[] batches)
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var labels = 0;
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).MonitorErrors(() => new DriftWhen(() => driftAt(++labels)))
            .RetrainWhen(Retrain.OnDrift().Or(Retrain.EveryNewLabels(100))).PromoteWhen(gate)
            .Configure(o => (o.TrainingWindowSize, o.StableTrainingWindowSize) = (100, 250)).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        List<CycleReport> reports = [];
        for (var i = 0; i < batches.Length; i++)
        {
            LoopHarness.Traffic(loop, _time, batches[i], seed: i + 1);
            reports.Add(await loop.RunCycleAsync(None));
        }

        return reports;
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

    /// <summary>Signals a drift whenever the shared condition says so, and counts the values it has seen; restorable, so that a promotion can carry the count.</summary>
    private sealed class CountingDetector(Func<bool> drift) : IRestorableDriftDetector
    {
        public long Seen { get; private set; }

        public DriftState State { get; private set; }

        public DriftState Update(double value)
        {
            Seen++;
            return State = drift() ? DriftState.Drift : DriftState.None;
        }

        public void Reset() => (Seen, State) = (0, DriftState.None);

        public StateSnapshot Snapshot() => new SnapshotWriter(nameof(CountingDetector), 1).Write(Seen).ToSnapshot();

        public void Restore(StateSnapshot snapshot)
        {
            var reader = SnapshotReader.Open(snapshot, nameof(CountingDetector), 1);
            Seen = reader.ReadInt64();
            reader.End();
        }
    }

    /// <summary>Signals a drift whenever the shared condition says so: the drift belongs to the stream, not to one detector instance.</summary>
    private sealed class DriftWhen(Func<bool> drift) : IDriftDetector
    {
        public DriftState State { get; private set; }

        public DriftState Update(double value) => State = drift() ? DriftState.Drift : DriftState.None;

        public void Reset() => State = DriftState.None;
    }

    /// <summary>Passes every candidate and records whether the loop said it extends the champion.</summary>
    private sealed class RecordingGate : IPromotionGate
    {
        public List<bool> Extends { get; } = [];

        public ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
        {
            Extends.Add(context.CandidateExtendsChampion);
            return ValueTask.FromResult(new GateResult(true, ["recorded"], new Dictionary<string, double>(), new Dictionary<string, double>()));
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
