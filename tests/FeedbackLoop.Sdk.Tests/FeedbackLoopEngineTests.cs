using FeedbackLoop.Models;
using FeedbackLoop.Simulation;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

public class FeedbackLoopEngineTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SimulatedClock _time = new();

    [Fact]
    public void Predict_BeforeAnyChampion_ThrowsClearly()
    {
        using var loop = LoopHarness.Builder(_time).Build();

        var act = () => loop.Predict(Events.Vector());

        act.Should().Throw<InvalidOperationException>().WithMessage("*no champion*");
    }

    [Fact]
    public async Task Predict_UsesTheChampionAndRecords()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var version = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        var prediction = loop.Predict(Events.Vector(x1: 0.7), new Dictionary<string, string> { ["region"] = "eu" });

        prediction.ModelVersion.Should().Be("1");
        prediction.ModelName.Should().Be("test");
        prediction.Output.Label.Should().Be(Label.Binary(true));
        prediction.Timestamp.Should().Be(_time.GetUtcNow());
        prediction.Segments["region"].Should().Be("eu");
        loop.Champion.Should().Be(version);
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(1);
    }

    [Fact]
    public void FeatureVector_NaNOrInfinity_ThrowsNamingTheFeature()
    {
        var vector = Events.TwoNumbers.CreateVector();

        vector.Invoking(v => v.Set("x2", double.NaN)).Should().Throw<FeatureValidationException>()
            .Where(e => e.FeatureName == "x2").WithMessage("*'x2'*NaN*");
        vector.Invoking(v => v.Set("x1", double.PositiveInfinity)).Should().Throw<FeatureValidationException>()
            .Where(e => e.FeatureName == "x1").WithMessage("*'x1'*finite*");
        FluentActions.Invoking(() => FeatureVector.Create(Events.TwoNumbers, [1.0, double.NegativeInfinity]))
            .Should().Throw<FeatureValidationException>().Where(e => e.FeatureName == "x2");
    }

    [Fact]
    public async Task RecordPrediction_FeatureLeftUnset_ThrowsNamingTheFeature()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        var vector = Events.TwoNumbers.CreateVector().Set("x1", 0.3);

        var act = () => loop.Predict(vector);

        act.Should().Throw<FeatureValidationException>().Where(e => e.FeatureName == "x2").WithMessage("*'x2'*unset*");
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(0, "nothing is stored for a rejected prediction");
    }

    [Fact]
    public void FeatureVector_SchemaAllowsMissing_AcceptsNaN()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("income", allowMissing: true).Categorical("region", allowMissing: true).Build();

        var vector = FeatureVector.Create(schema, [1.0, double.NaN], [null]);

        double.IsNaN(vector.GetNumeric("income")).Should().BeTrue();
        vector.GetCategorical("region").Should().BeNull();
    }

    [Fact]
    public void FeatureVector_UnknownFeatureOrWrongKind_Throws()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("income").Categorical("region").Build();
        var vector = schema.CreateVector();

        vector.Invoking(v => v.Set("age", 3.0)).Should().Throw<FeatureValidationException>()
            .Where(e => e.FeatureName == "age").WithMessage("*'age' is not in the schema*");
        vector.Invoking(v => v.Set("income", "high")).Should().Throw<FeatureValidationException>()
            .WithMessage("*'income' is numeric*");
        vector.Invoking(v => v.Set("region", 3.0)).Should().Throw<FeatureValidationException>()
            .WithMessage("*'region' is categorical*");
        vector.Invoking(v => v.Set("region", (string?)null)).Should().Throw<FeatureValidationException>()
            .WithMessage("*'region' is null*");
    }

    [Fact]
    public void RecordPrediction_OtherModelOrSchema_Throws()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var otherSchema = FeatureSchema.CreateBuilder().Numeric("y").Build();

        loop.Invoking(l => l.RecordPrediction(Events.Prediction(model: "other")))
            .Should().Throw<ArgumentException>().WithMessage("*'other'*'test'*");
        loop.Invoking(l => l.RecordPrediction(new Prediction(
                PredictionId.New(), "test", "1", default, FeatureVector.Create(otherSchema, [1.0]), PredictionOutput.FromLabel(true))))
            .Should().Throw<ArgumentException>().WithMessage("*schema*");
    }

    [Fact]
    public void RecordPrediction_NonBinaryOutputLabel_ThrowsInvalidLabel()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var prediction = new Prediction(PredictionId.New(), "test", "1", default, Events.Vector(), PredictionOutput.FromLabel(Label.Categorical("cat")));

        loop.Invoking(l => l.RecordPrediction(prediction)).Should().Throw<InvalidLabelException>()
            .Where(e => e.Expected == LabelKind.Binary && e.Actual == LabelKind.Categorical);
    }

    [Fact]
    public async Task RecordPrediction_SameIdTwice_RecordedOnce()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var prediction = Events.Prediction();

        loop.RecordPrediction(prediction);
        loop.RecordPrediction(prediction);

        var statistics = await loop.StoreStatisticsAsync();
        statistics.Predictions.Should().Be(1);
        statistics.DuplicatePredictions.Should().Be(1);
    }

    [Theory]
    [InlineData(FeedbackKind.GroundTruth)]
    [InlineData(FeedbackKind.HumanCorrection)]
    public async Task RecordFeedback_LabelOfTheWrongType_ThrowsAndStoresNothing(FeedbackKind kind)
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var prediction = Events.Prediction();
        loop.RecordPrediction(prediction);

        var act = () => loop.RecordFeedback(new Feedback(FeedbackId.New(), prediction.Id, kind, Label.Numeric(1.0), "src"));

        act.Should().Throw<InvalidLabelException>().Where(e => e.Expected == LabelKind.Binary && e.Actual == LabelKind.Numeric)
            .WithMessage("*Binary*Numeric*");
        (await loop.StoreStatisticsAsync()).FeedbackJoined.Should().Be(0);
    }

    [Fact]
    public async Task RecordFeedback_RatingOrFlagOfTheWrongType_Throws()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var id = PredictionId.New();

        loop.Invoking(l => l.RecordFeedback(new Feedback(FeedbackId.New(), id, FeedbackKind.Rating, true, "user")))
            .Should().Throw<InvalidLabelException>().Where(e => e.Expected == LabelKind.Numeric);
        loop.Invoking(l => l.RecordFeedback(new Feedback(FeedbackId.New(), id, FeedbackKind.Flag, Label.Numeric(2), "user")))
            .Should().Throw<InvalidLabelException>().Where(e => e.Expected == LabelKind.Categorical);
        loop.RecordFeedback(Feedback.Flag(id, null, "user"));
        loop.RecordFeedback(Feedback.Flag(id, "offensive", "user"));
        (await loop.StoreStatisticsAsync()).OrphansPending.Should().Be(2);
    }

    [Fact]
    public async Task RecordFeedback_UnknownPrediction_HeldAsOrphanThenExpiredAndCounted()
    {
        using var loop = LoopHarness.Builder(_time).Configure(o => o.Store.OrphanTimeToLive = TimeSpan.FromMinutes(5)).Build();

        loop.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true));
        (await loop.RunCycleAsync(None)).Observed.OrphansPending.Should().Be(1);

        _time.Advance(TimeSpan.FromMinutes(5));
        var report = await loop.RunCycleAsync(None);

        report.Observed.OrphansExpired.Should().Be(1);
        report.Observed.OrphansPending.Should().Be(0);
        (await loop.StoreStatisticsAsync()).OrphansExpired.Should().Be(1);
    }

    [Fact]
    public async Task RecordFeedback_BeforeItsPrediction_JoinedWhenThePredictionArrives()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var id = PredictionId.New();

        loop.RecordFeedback(Feedback.GroundTruth(id, true));
        (await loop.StoreStatisticsAsync()).OrphansPending.Should().Be(1);
        loop.RecordPrediction(Events.Prediction(id, _time.GetUtcNow()));

        var report = await loop.RunCycleAsync(None);
        report.Observed.LabelsSinceLastTraining.Should().Be(1);
        (await loop.StoreStatisticsAsync()).LabelledPredictions.Should().Be(1);
    }

    [Fact]
    public async Task RecordFeedback_SameIdTwice_AppliedOnce()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        var prediction = Events.Prediction();
        loop.RecordPrediction(prediction);
        var feedback = Feedback.GroundTruth(prediction.Id, true, id: FeedbackId.FromKey("message-17"));
        var redelivered = Feedback.GroundTruth(prediction.Id, true, id: FeedbackId.FromKey("message-17"));

        loop.RecordFeedback(feedback);
        loop.RecordFeedback(redelivered);

        var statistics = await loop.StoreStatisticsAsync();
        statistics.FeedbackJoined.Should().Be(1);
        statistics.DuplicateFeedback.Should().Be(1);
    }

    [Fact]
    public void Feedback_EmptyId_Throws() =>
        FluentActions.Invoking(() => Feedback.GroundTruth(PredictionId.New(), true, id: new FeedbackId(Guid.Empty)))
            .Should().Throw<ArgumentException>().WithMessage("*feedback id cannot be empty*");

    [Fact]
    public async Task RunCycleAsync_TrainerThrows_ReportsFailureAndKeepsServingTheChampion()
    {
        var trainer = new ScriptedTrainer(_ => throw new InvalidOperationException("GPU on fire"));
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        var champion = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("train failed").And.Contain("GPU on fire");
        report.Champion.Should().Be(champion);
        loop.Champion.Should().Be(champion);
        loop.Predict(Events.Vector(0.9)).ModelVersion.Should().Be("1");
        trainer.Calls.Should().Be(1);
    }

    [Fact]
    public async Task RunCycleAsync_GateThrows_ReportsFailure()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).PromoteWhen(new ThrowingGate()).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("gate");
        loop.Champion!.Version.Should().Be(1);
    }

    [Fact]
    public async Task RunCycleAsync_PolicyThrows_ReportsFailure()
    {
        using var loop = LoopHarness.Builder(_time).RetrainWhen(new ThrowingPolicy()).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("decide failed").And.Contain("policy bug");
    }

    [Fact]
    public async Task RunCycleAsync_StoreQueryThrows_ReportsFailureAndKeepsServing()
    {
        using var loop = LoopHarness.Builder(_time)
            .UseStore(_ => new UnreadableStore())
            .Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("window failed").And.Contain("disk gone");
        loop.Predict(Events.Vector(0.6)).ModelVersion.Should().Be("1");
    }

    [Fact]
    public async Task RunCycleAsync_RegistryThrows_ReportsFailureAndTheChampionStaysLive()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var registry = new FailingRegistry(new InMemoryModelRegistry(_time));
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).UseRegistry(registry).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);
        registry.Fail = true;

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("registry").And.Contain("registry offline");
        report.Gate!.Passed.Should().BeTrue("the candidate was better, but it could not be registered");
        loop.Champion!.Version.Should().Be(1);
        loop.Predict(Events.Vector(0.6)).ModelVersion.Should().Be("1");
    }

    [Fact]
    public async Task RecordPrediction_SinkThrows_HostUnaffectedAndTheCycleReportsIt()
    {
        var recording = new RecordingSink();
        using var loop = LoopHarness.Builder(_time).AddSink(new ThrowingSink()).AddSink(recording).Build();
        var prediction = Events.Prediction();

        loop.Invoking(l => l.RecordPrediction(prediction)).Should().NotThrow();
        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(prediction.Id, true))).Should().NotThrow();
        await loop.FlushAsync(None);

        recording.Predictions.Should().ContainSingle("a failing sink does not stop the next one").Which.Outcome.Should().Be(EventOutcome.Stored);
        recording.Feedback.Should().ContainSingle().Which.Outcome.Should().Be(EventOutcome.Joined);
        (await loop.RunCycleAsync(None)).Observed.ContainedFailures.Should().Be(2);
        (await loop.RunCycleAsync(None)).Observed.ContainedFailures.Should().Be(0, "failures are reported once");
    }

    [Fact]
    public async Task RecordPrediction_DetectorThrows_HostUnaffectedAndTheCycleReportsIt()
    {
        using var loop = LoopHarness.Builder(_time).MonitorFeature("x1", () => new ThrowingDetector()).Build();

        loop.Invoking(l => l.RecordPrediction(Events.Prediction())).Should().NotThrow();
        loop.Invoking(l => l.RecordPrediction(Events.Prediction())).Should().NotThrow();

        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(2);
        (await loop.RunCycleAsync(None)).Observed.ContainedFailures.Should().Be(2);
    }

    [Fact]
    public async Task Monitors_FlickeringWarning_KeepsTheNewestSignalsBounded()
    {
        using var loop = LoopHarness.Builder(_time).MonitorFeature("x1", () => new FlickeringDetector()).Build();
        for (var i = 0; i < 1_000; i++)
        {
            loop.RecordPrediction(Events.Prediction(timestamp: _time.GetUtcNow()));
        }

        var signals = (await loop.RunCycleAsync(None)).Observed.DriftSignals;

        signals.Should().HaveCount(256, "one signal per transition to Warning (500 here), capped");
        signals[^1].Observation.Should().Be(999, "the newest signals are the ones kept");
    }

    [Fact]
    public async Task RecordPredictionAndFeedback_SteadyState_AllocatesNothingOnTheCallersThread()
    {
        await using var loop = LoopHarness.Builder(_time).MonitorFeatures().Configure(o =>
        {
            o.Store.PredictionCapacity = 64;
            o.TrainingWindowSize = 64;
        }).Build();
        var predictions = Enumerable.Range(0, 256).Select(_ => Events.Prediction()).ToArray();
        var feedback = predictions.Select(p => Feedback.GroundTruth(p.Id, true)).ToArray();
        for (var i = 0; i < predictions.Length; i++)
        {
            loop.RecordPrediction(predictions[i]);
            loop.RecordFeedback(feedback[i]);
        }

        await loop.FlushAsync(None);

        // Each pass re-records predictions evicted long ago, so the store does the full work of a new event.
        var passes = 1;
        var allocated = Allocations.OnCurrentThread(() =>
        {
            passes++;
            for (var i = 0; i < predictions.Length; i++)
            {
                loop.RecordPrediction(predictions[i]);
                loop.RecordFeedback(feedback[i]);
            }
        });

        allocated.Should().Be(0);
        (await loop.StoreStatisticsAsync()).FeedbackJoined.Should().Be(passes * predictions.Length, "every pass joins every feedback");
    }

    [Fact]
    public async Task RunCycle_FullRollingWindow_ReportsTheEvaluationMetricsOfTheLastOutcomes()
    {
        using var loop = LoopHarness.Builder(_time).Configure(o => o.RollingWindowSize = 200).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        var random = new Random(5);
        var outcomes = new List<(bool Actual, PredictionOutput Output)>();
        for (var i = 0; i < 300; i++)
        {
            var x1 = random.NextDouble();
            var prediction = loop.Predict(Events.Vector(x1));
            var actual = x1 + (0.3 * (random.NextDouble() - 0.5)) >= 0.5;
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, actual));
            outcomes.Add((actual, prediction.Output));
        }

        var report = await loop.RunCycleAsync(None);

        var last = outcomes.TakeLast(200).ToArray();
        var actualLabels = last.Select(o => o.Actual).ToArray();
        var predicted = last.Select(o => o.Output.Label.AsBoolean()).ToArray();
        var scores = last.Select(o => o.Output.Score).ToArray();
        var metrics = report.Observed.Metrics;
        metrics.Keys.Should().BeEquivalentTo(
            "accuracy", "balanced_accuracy", "precision", "recall", "f1", "matthews_corrcoef", "roc_auc", "log_loss", "brier_score");
        metrics["accuracy"].Should().BeApproximately(BinaryClassificationMetrics.Accuracy(actualLabels, predicted), 1e-12);
        metrics["recall"].Should().BeApproximately(ConfusionMatrix.From(actualLabels, predicted).Recall(1), 1e-12);
        metrics["roc_auc"].Should().BeApproximately(BinaryClassificationMetrics.RocAuc(actualLabels, scores), 1e-12);
        metrics["log_loss"].Should().BeApproximately(BinaryClassificationMetrics.LogLoss(actualLabels, scores), 1e-12);
        metrics["accuracy"].Should().BeLessThan(1.0, "the labels are noisy, so the check above can tell windows apart");
    }

    [Fact]
    public async Task RecordPathAndFeedback_FromManyThreads_NothingLostOrDoubled()
    {
        using var loop = LoopHarness.Builder(_time).Configure(o => o.RollingWindowSize = 1_000).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        const int Threads = 4;
        const int PerThread = 5_000;

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            var random = new Random(t);
            for (var i = 0; i < PerThread; i++)
            {
                var x1 = random.NextDouble();
                var prediction = loop.Predict(Events.Vector(x1));
                var feedback = Feedback.GroundTruth(prediction.Id, x1 >= 0.5);
                loop.RecordFeedback(feedback);
                loop.RecordFeedback(feedback);
            }
        })));

        var statistics = await loop.StoreStatisticsAsync();
        statistics.Predictions.Should().Be(Threads * PerThread);
        statistics.FeedbackJoined.Should().Be(Threads * PerThread);
        statistics.DuplicateFeedback.Should().Be(Threads * PerThread);
        var report = await loop.RunCycleAsync(None);
        report.Observed.LabelsSinceLastTraining.Should().Be(Threads * PerThread);
        report.Observed.Metrics["accuracy"].Should().Be(1.0, "the champion is always right here");
    }

    [Fact]
    public async Task RunCycleAsync_WorseCandidate_GateRefusesAndTheChampionStaysLive()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.9).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time)
            .UseTrainer(trainer, trainer)
            .PromoteWhen(Gates.NoWorseThanChampion(Metric.Accuracy))
            .Build();
        var champion = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Rejected);
        report.Gate!.Passed.Should().BeFalse();
        report.Gate.Reasons.Should().ContainSingle().Which.Should().Contain("accuracy").And.Contain("worse");
        report.Gate.CandidateMetrics["accuracy"].Should().BeLessThan(report.Gate.ChampionMetrics["accuracy"]);
        report.Candidate!.Version.Should().Be(2, "a refused candidate is still registered, for the record");
        report.Champion.Should().Be(champion);
        loop.Champion.Should().Be(champion);
        loop.Predict(Events.Vector(0.7)).ModelVersion.Should().Be("1");
    }

    [Fact]
    public async Task RunCycleAsync_BetterCandidate_PromotedAndSwappedLive()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Promoted);
        report.Decision.Reason.Should().Contain("new labels");
        report.TrainingExamples.Should().Be(150);
        report.HoldoutExamples.Should().Be(50);
        report.Champion!.Version.Should().Be(2);
        report.Champion.Lineage["parent"].Should().Be("1");
        loop.Predict(Events.Vector(0.6)).ModelVersion.Should().Be("2");
        trainer.LastData!.Count.Should().Be(200, "the candidate that passed the gate is refitted on the whole window");
        trainer.LastData.Sources.Should().OnlyContain(s => s == "feedback", "the loop trains on its labelled window, not on invented rows");
        report.Champion.Lineage["training.examples"].Should().Be("200");
        report.Champion.Lineage["gated.examples"].Should().Be("150");
    }

    [Fact]
    public async Task LoadVersionAsync_ARegisteredVersion_ScoresLikeIt_WhileTheChampionServes()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "first"), None);
        await loop.PromoteAsync(new ThresholdModel(0.3).ToTrainedModel(), new AliasChange("host", "second"), None);

        var first = await loop.LoadVersionAsync(1, None);

        first.Predict(Events.Vector(0.6)).Label.Should().Be(Label.Binary(false), "version 1 says x1 >= 0.8");
        loop.Champion!.Version.Should().Be(2);
        loop.Predict(Events.Vector(0.6)).ModelVersion.Should().Be("2");
    }

    [Fact]
    public async Task LoadVersionAsync_BadVersionOrNoLoaderOrDisposed_Throws()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "first"), None);
        var registry = new InMemoryModelRegistry(_time);
        await using (var other = LoopHarness.Builder(_time, "no-loader").UseTrainer(trainer).UseRegistry(registry).Build())
        {
            await other.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "first"), None);
        }

        await using var noLoader = LoopHarness.Builder(_time, "no-loader").UseTrainer(trainer).UseRegistry(registry).Build();

        await loop.Invoking(l => l.LoadVersionAsync(0, None)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await loop.Invoking(l => l.LoadVersionAsync(2, None)).Should().ThrowAsync<KeyNotFoundException>().WithMessage("*no version 2*");
        await noLoader.Invoking(l => l.LoadVersionAsync(1, None)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*no IModelArtifactLoader*", "a version this loop has not loaded needs the loader");
        await loop.DisposeAsync();
        await loop.Invoking(l => l.LoadVersionAsync(1, None)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task RunCycleAsync_RefitAfterGateOff_TheGatedCandidateIsRegistered()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Configure(o => o.RefitAfterGate = false).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Promoted);
        trainer.Calls.Should().Be(1);
        trainer.LastData!.Count.Should().Be(150);
        report.Champion!.Lineage["training.examples"].Should().Be("150");
        report.Champion.Lineage.Should().NotContainKey("gated.examples");
    }

    [Fact]
    public async Task RunCycleAsync_RejectedCandidate_IsNotRefitted()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.99).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Rejected);
        trainer.Calls.Should().Be(1, "only a candidate that passed its gate is trained again");
    }

    [Fact]
    public async Task RunCycleAsync_TooFewLabels_Defers()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).RetrainWhen(Retrain.EveryNewLabels(10)).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 20);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Deferred);
        report.Decision.Reason.Should().Contain("20 of 50");
        trainer.Calls.Should().Be(0);
    }

    [Fact]
    public async Task RunCycleAsync_NoChampion_BootstrapsFromTheLabels()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        for (var i = 0; i < 60; i++)
        {
            var prediction = Events.Prediction(timestamp: _time.GetUtcNow(), version: "host-model-7");
            loop.RecordPrediction(prediction);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, i % 2 == 0));
        }

        var report = await loop.RunCycleAsync(None);

        report.Decision.Reason.Should().Be("no champion yet");
        report.Outcome.Should().Be(CycleOutcome.Promoted);
        report.Gate!.Reasons.Should().ContainSingle().Which.Should().Contain("no champion");
        loop.Champion!.Version.Should().Be(1);
    }

    [Fact]
    public async Task RunCycleAsync_DefaultLearnerAndOneTrainingRowAt1e300_PromotesAModelThatStillSeparatesTheClasses()
    {
        // Under fault injection one such row made the default learner's candidate a constant model, which the first cycle
        // promoted, and the champion threw on an input of 1e308 next to -1e308.
        using var loop = LoopHarness.Builder(_time).Build();
        var random = new Random(8);
        for (var i = 0; i < 400; i++)
        {
            var x1 = random.NextDouble();
            var features = Events.Vector(i == 17 ? 1e300 : x1, random.NextDouble());
            var prediction = new Prediction(PredictionId.New(), "test", "host-model", _time.GetUtcNow(), features, PredictionOutput.FromLabel(true), null);
            loop.RecordPrediction(prediction);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, x1 >= 0.5));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Promoted);
        report.Candidate!.Description.Should().Contain("winsorised to their fences: 'x1' 1");
        var correct = 0;
        for (var i = 0; i < 1_000; i++)
        {
            var x1 = random.NextDouble();
            correct += loop.Predict(Events.Vector(x1, random.NextDouble())).Output.Label == Label.Binary(x1 >= 0.5) ? 1 : 0;
        }

        correct.Should().BeGreaterThan(950, "the label is x1 >= 0.5 without noise");
        loop.Predict(Events.Vector(1e308, -1e308)).Output.Score.Should().BeInRange(0.99, 1.0, "x1 is clipped to its upper fence");
        loop.Predict(Events.Vector(-1e308, 1e308)).Output.Score.Should().BeInRange(0.0, 0.01);
    }

    [Fact]
    public async Task RollbackAsync_AfterAPromotion_RestoresThePreviousChampionLive()
    {
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, trainer).Build();
        await loop.PromoteAsync(new ThresholdModel(0.8).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 200);
        (await loop.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.Promoted);

        var restored = await loop.RollbackAsync(new AliasChange("host", "rollback"), None);

        restored.Version.Should().Be(1);
        loop.Champion.Should().Be(restored);
        var prediction = loop.Predict(Events.Vector(0.7));
        prediction.ModelVersion.Should().Be("1");
        prediction.Output.Label.Should().Be(Label.Binary(false), "version 1 predicts x1 >= 0.8");
    }

    [Fact]
    public async Task RollbackAsync_ArtifactCannotBeLoaded_ThrowsAndTheRegistryStillNamesTheLiveModel()
    {
        var registry = new InMemoryModelRegistry(_time);
        using var loop = LoopHarness.Builder(_time).UseRegistry(registry).UseTrainer(new ScriptedTrainer(_ => throw new InvalidOperationException()), new BrokenLoader()).Build();
        for (var threshold = 1; threshold <= 10; threshold++)
        {
            await loop.PromoteAsync(new ThresholdModel(threshold / 10.0).ToTrainedModel(), new AliasChange("host", "manual"), None);
        }

        for (var expected = 9; expected >= 3; expected--)
        {
            (await loop.RollbackAsync(new AliasChange("host", "rollback"), None)).Version.Should().Be(expected, "the last eight champions stay loaded");
        }

        await loop.Invoking(l => l.RollbackAsync(new AliasChange("host", "rollback"), None)).Should().ThrowAsync<FormatException>().WithMessage("*corrupt*");
        loop.Champion!.Version.Should().Be(3);
        (await registry.GetByAliasAsync("test", ModelAliases.Champion, None))!.Version.Should().Be(3);
        loop.Predict(Events.Vector(0.35)).ModelVersion.Should().Be("3");
    }

    [Fact]
    public async Task RollbackAsync_NoEarlierChampion_Throws()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        await loop.Invoking(l => l.RollbackAsync(new AliasChange("host", "rollback"), None)).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task RunCycleAsync_Cancelled_Throws()
    {
        using var loop = LoopHarness.Builder(_time).Build();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await loop.Invoking(l => l.RunCycleAsync(cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>Warning on every odd observation, None on every even one.</summary>
    private sealed class FlickeringDetector : FeedbackLoop.Drift.IDriftDetector
    {
        private long _count;

        public FeedbackLoop.Drift.DriftState State { get; private set; }

        public FeedbackLoop.Drift.DriftState Update(double value) =>
            State = ++_count % 2 == 1 ? FeedbackLoop.Drift.DriftState.Warning : FeedbackLoop.Drift.DriftState.None;

        public void Reset() => _count = 0;
    }

    private sealed class ThrowingDetector : FeedbackLoop.Drift.IDriftDetector
    {
        public FeedbackLoop.Drift.DriftState State => FeedbackLoop.Drift.DriftState.None;

        public FeedbackLoop.Drift.DriftState Update(double value) => throw new InvalidOperationException("detector bug");

        public void Reset()
        {
        }
    }

    private sealed class ThrowingPolicy : IRetrainPolicy
    {
        public RetrainDecision Evaluate(RetrainContext context) => throw new InvalidOperationException("policy bug");
    }

    /// <summary>A store whose queries fail (a lost disk), while appending still works.</summary>
    private sealed class UnreadableStore() : DelegatingEventStore(Events.TwoNumbers)
    {
        public override IAsyncEnumerable<LabelledExample> ReadLabelledAsync(LabelledWindowQuery query, CancellationToken cancellationToken) =>
            throw new IOException("disk gone");
    }

    private sealed class BrokenLoader : IModelArtifactLoader
    {
        public IPredictor Load(Stream artifact, FeatureSchema schema) => throw new FormatException("corrupt artifact");
    }

    private sealed class ThrowingGate : IPromotionGate
    {
        public ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("gate service unavailable");
    }
}
