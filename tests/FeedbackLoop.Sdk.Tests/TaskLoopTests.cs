using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Models;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.State;
using FeedbackLoop.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests;

/// <summary>Multiclass and regression loops end to end, with small trainers: the task decides labels, outputs, errors, metrics and gates.</summary>
public class TaskLoopTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly ModelTask Tickets = ModelTask.Multiclass("low", "mid", "high");
    private static readonly AliasChange Seed = new("host", "history");
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task MulticlassLoop_ConceptChange_IsDetectedOnTheMisclassificationStreamAndARetrainedModelRecovers()
    {
        await using var loop = Multiclass().Build();
        await loop.SeedAsync(TicketHistory(300, swapped: false), Seed, None);

        var before = Traffic(loop, 600, swapped: false, seed: 1);
        var quiet = await loop.RunCycleAsync(None);
        var after = Traffic(loop, 600, swapped: true, seed: 2);
        var drifted = await loop.RunCycleAsync(None);
        var recovered = Traffic(loop, 400, swapped: true, seed: 3);
        var last = await loop.RunCycleAsync(None);

        quiet.Outcome.Should().Be(CycleOutcome.NoAction);
        quiet.Observed.DriftSignals.Should().BeEmpty();
        ExpectRollingMetrics(quiet, before, Tickets);
        quiet.Observed.Metrics["accuracy"].Should().BeGreaterThan(0.9);
        drifted.Observed.DriftSignals.Should().Contain(s => s.State == DriftState.Drift && s.Monitor == "errors");
        drifted.Outcome.Should().Be(CycleOutcome.Promoted, drifted.ToString());
        drifted.Gate!.CandidateMetrics.Should().ContainKey("f1_macro");
        drifted.Gate.CandidateMetrics["f1_macro"].Should().BeGreaterThan(drifted.Gate.ChampionMetrics["f1_macro"]);
        after.Count(o => o.Output.Label == o.Actual).Should().BeLessThan(after.Count / 2, "the old model misclassifies the swapped classes");
        ExpectRollingMetrics(last, recovered, Tickets);
        last.Observed.Metrics["accuracy"].Should().BeGreaterThan(0.9);
        last.Observed.Metrics["log_loss"].Should().BeLessThan(drifted.Observed.Metrics["log_loss"]);
    }

    [Fact]
    public async Task RegressionLoop_ShiftOfTheTarget_IsDetectedOnTheAbsoluteErrorsAndARetrainedModelRecovers()
    {
        await using var loop = Regression().Build();
        await loop.SeedAsync(DemandHistory(300, shift: 0), Seed, None);

        var before = Demand(loop, 600, shift: 0, seed: 1);
        var quiet = await loop.RunCycleAsync(None);
        Demand(loop, 600, shift: 5, seed: 2);
        var drifted = await loop.RunCycleAsync(None);
        var recovered = Demand(loop, 400, shift: 5, seed: 3);
        var last = await loop.RunCycleAsync(None);

        quiet.Outcome.Should().Be(CycleOutcome.NoAction);
        ExpectRollingMetrics(quiet, before, ModelTask.Regression);
        quiet.Observed.Metrics.Keys.Should().BeEquivalentTo("mean_absolute_error", "root_mean_squared_error", "r2");
        quiet.Observed.Metrics["mean_absolute_error"].Should().BeLessThan(0.6, "the noise is N(0, 0.5): E|e| ≈ 0.4");
        drifted.Observed.DriftSignals.Should().Contain(s => s.State == DriftState.Drift && s.Monitor == "errors", "ADWIN watches the absolute errors by default");
        drifted.Outcome.Should().Be(CycleOutcome.Promoted, drifted.ToString());
        drifted.Gate!.CandidateMetrics["root_mean_squared_error"].Should().BeLessThan(drifted.Gate.ChampionMetrics["root_mean_squared_error"]);
        ExpectRollingMetrics(last, recovered, ModelTask.Regression);
        last.Observed.Metrics["mean_absolute_error"].Should().BeLessThan(0.6);
    }

    [Fact]
    public async Task MulticlassLoop_DefaultLearnerAndOptions_SoftmaxRegressionRecoversAfterTheClassesSwap()
    {
        await using var loop = new FeedbackLoopBuilder("tickets").WithSchema(Events.TwoNumbers).UseTimeProvider(_time).ForTask(Tickets).Build();
        await loop.SeedAsync(TicketHistory(2_000, swapped: false), Seed, None);

        var before = Traffic(loop, 2_000, swapped: false, seed: 1);
        (await loop.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.NoAction);
        var reports = new List<CycleReport>();
        var after = new List<(Label Actual, PredictionOutput Output)>();
        for (var round = 0; round < 8; round++)
        {
            after.AddRange(Traffic(loop, 1_000, swapped: true, seed: 10 + round));
            reports.Add(await loop.RunCycleAsync(None));
        }

        loop.Champion!.Description.Should().StartWith("L2-regularised softmax regression");
        Accuracy(before).Should().BeGreaterThan(0.9, "softmax regression on x1 separates three ordered bands");
        reports.Should().Contain(r => r.Outcome == CycleOutcome.Promoted, string.Join(Environment.NewLine, reports));
        Accuracy(after.Take(1_000)).Should().BeLessThan(0.5, "the old model misclassifies the swapped classes");
        Accuracy(after.TakeLast(2_000)).Should().BeGreaterThan(0.9, "the retrained softmax model serves the new classes");
        after[^1].Output.Probabilities.Length.Should().Be(3);
    }

    [Fact]
    public async Task RegressionLoop_DefaultLearnerAndOptions_RidgeRegressionRecoversAfterTheTargetShifts()
    {
        await using var loop = new FeedbackLoopBuilder("demand").WithSchema(Events.TwoNumbers).UseTimeProvider(_time).ForTask(ModelTask.Regression).Build();
        await loop.SeedAsync(DemandHistory(2_000, shift: 0), Seed, None);

        var before = Demand(loop, 2_000, shift: 0, seed: 1);
        (await loop.RunCycleAsync(None)).Outcome.Should().Be(CycleOutcome.NoAction);
        var reports = new List<CycleReport>();
        var after = new List<(Label Actual, PredictionOutput Output)>();
        for (var round = 0; round < 8; round++)
        {
            after.AddRange(Demand(loop, 1_000, shift: 5, seed: 10 + round));
            reports.Add(await loop.RunCycleAsync(None));
        }

        loop.Champion!.Description.Should().StartWith("Ridge regression");
        MeanAbsoluteError(before).Should().BeLessThan(0.6, "the noise is N(0, 0.5): E|e| ≈ 0.4");
        reports.Should().Contain(r => r.Outcome == CycleOutcome.Promoted, string.Join(Environment.NewLine, reports));
        MeanAbsoluteError(after.Take(1_000)).Should().BeGreaterThan(4.0, "the old model misses the shift of 5");
        MeanAbsoluteError(after.TakeLast(2_000)).Should().BeLessThan(0.6, "the retrained ridge model follows the shift");
    }

    [Fact]
    public async Task RegressionLoop_PolicyOnALossMetric_FiresWhenTheErrorRisesAboveTheThreshold()
    {
        await using var loop = Regression().RetrainWhen(Retrain.WhenMetricWorseThan(Metric.MeanAbsoluteError, 2.0)).Build();
        await loop.SeedAsync(DemandHistory(300, shift: 0), Seed, None);

        Demand(loop, 300, shift: 0, seed: 1);
        var good = await loop.RunCycleAsync(None);
        Demand(loop, 300, shift: 5, seed: 2);
        var bad = await loop.RunCycleAsync(None);

        good.Decision.ShouldRetrain.Should().BeFalse(good.Decision.Reason);
        good.Decision.Reason.Should().StartWith("mean_absolute_error 0.").And.Contain("at or below 2");
        bad.Decision.ShouldRetrain.Should().BeTrue();
        bad.Decision.Reason.Should().MatchRegex(@"^mean_absolute_error [45]\.\d+ above 2$");
    }

    [Fact]
    public async Task MulticlassLoop_LabelsOutsideTheTask_AreRefusedAtTheDoor()
    {
        await using var loop = Multiclass().Build();
        var id = PredictionId.New();

        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(id, Label.Categorical("urgent"))))
            .Should().Throw<InvalidLabelException>().WithMessage("GroundTruth feedback for loop 'tickets': the class 'urgent' is not one of the task's classes [low, mid, high].");
        loop.Invoking(l => l.RecordFeedback(Feedback.Correction(id, true, "reviewer:1")))
            .Should().Throw<InvalidLabelException>().Which.Expected.Should().Be(LabelKind.Categorical);
        loop.Invoking(l => l.RecordPrediction(new Prediction(id, "tickets", "1", default, Events.Vector(), PredictionOutput.FromLabel(Label.Categorical("urgent")))))
            .Should().Throw<InvalidLabelException>().WithMessage("*'urgent' is not one of*");
        loop.Invoking(l => l.RecordPrediction(new Prediction(id, "tickets", "1", default, Events.Vector(), PredictionOutput.Multiclass(ModelTask.Multiclass("low", "mid"), [0.5, 0.5]))))
            .Should().Throw<InvalidLabelException>().WithMessage("*2 probabilities for the task's 3 classes*");
        loop.RecordFeedback(Feedback.Rating(id, 4, "user"));
        loop.RecordFeedback(Feedback.Flag(id, "wrong queue", "user"));
        (await loop.StoreStatisticsAsync()).OrphansPending.Should().Be(2, "ratings and flags are not labels and keep their own kinds; only they were recorded");
    }

    [Fact]
    public async Task RegressionLoop_NonNumericLabels_AreRefused()
    {
        await using var loop = Regression().Build();

        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true)))
            .Should().Throw<InvalidLabelException>().WithMessage("*regression task takes Numeric labels, not Binary*");
        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), Label.Categorical("12"))))
            .Should().Throw<InvalidLabelException>();
        (await loop.StoreStatisticsAsync()).OrphansPending.Should().Be(0);
    }

    [Fact]
    public async Task RegressionLoop_OutputWithAnIntervalAroundItsValue_IsRecordedWithIt_AndOneThatIsNot_IsRefused()
    {
        await using var loop = Regression().Build();
        var id = PredictionId.New();

        loop.RecordPrediction(new Prediction(id, "demand", "1", default, Events.Vector(), PredictionOutput.Regression(5, 4, 7)));
        loop.RecordFeedback(Feedback.GroundTruth(id, Label.Numeric(6)));
        loop.Invoking(l => l.RecordPrediction(new Prediction(PredictionId.New(), "demand", "1", default, Events.Vector(), PredictionOutput.Restore(Label.Numeric(5), double.NaN, [6, 7]))))
            .Should().Throw<InvalidLabelException>().WithMessage("*interval [6, 7] is not finite bounds around the value 5*");
        loop.Invoking(l => l.RecordPrediction(new Prediction(PredictionId.New(), "demand", "1", default, Events.Vector(), PredictionOutput.Restore(Label.Numeric(5), double.NaN, [1, 2, 3]))))
            .Should().Throw<InvalidLabelException>().WithMessage("*interval of 2 bounds, not 3 values*");

        using var csv = new MemoryStream();
        (await loop.ExportLabelledWindowAsync(csv, null, None)).Should().Be(1, "only the output that fits was recorded");
    }

    [Fact]
    public void Build_GateOrPolicyThatDoesNotFitTheTask_FailsListingEveryProblem()
    {
        var build = () => new FeedbackLoopBuilder("demand").WithSchema(Events.TwoNumbers).ForTask(ModelTask.Regression)
            .PromoteWhen(Gates.NoWorseThanChampion(Metric.RocAuc).And(Gates.AtLeast(Metric.R2, 0.5)))
            .RetrainWhen(Retrain.OnDrift().Or(Retrain.WhenMetricWorseThan(Metric.Accuracy, 0.8).WithCooldown(TimeSpan.FromHours(1))))
            .Build();

        var failures = build.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().HaveCount(2);
        failures.Should().ContainMatch("PromoteWhen(...): the gate reads roc_auc, which does not measure regression models.");
        failures.Should().ContainMatch("RetrainWhen(...): the policy reads the rolling accuracy, which a regression loop does not compute (it computes mean_absolute_error, root_mean_squared_error, r2).");
    }

    [Fact]
    public void Build_MetricsOfTheTask_AreAccepted()
    {
        var build = () => Multiclass()
            .PromoteWhen(Gates.NoWorseThanChampion(Metric.LogLoss).And(Gates.AtLeast(Metric.MacroF1, 0.5)))
            .RetrainWhen(Retrain.WhenMetricWorseThan(Metric.MacroF1, 0.7).Or(Retrain.OnDrift()))
            .Build().Dispose();

        build.Should().NotThrow();
    }

    [Fact]
    public async Task PromoteAsync_MulticlassModelOfOtherClassesOrOrder_IsRefused()
    {
        await using var loop = Multiclass().Build();
        var reordered = new CentroidModel(ModelTask.Multiclass("high", "mid", "low"), [0.1, 0.5, 0.9]);

        await loop.Invoking(l => l.PromoteAsync(new TrainedModel(reordered, new byte[24], "reordered"), Seed, None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*performs a multiclass[high, mid, low] task, but loop 'tickets' is multiclass[low, mid, high]*");
        loop.Champion.Should().BeNull();
    }

    [Fact]
    public async Task SeedAsync_TrainingSetOfAnotherTask_IsRefused()
    {
        await using var loop = Regression().Build();

        await loop.Invoking(l => l.SeedAsync(TicketHistory(10, swapped: false), Seed, None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*multiclass[low, mid, high] task, but loop 'demand' is regression*");
    }

    [Fact]
    public async Task RunCycle_TrainerReturnsAModelOfAnotherTask_FailsWithoutRegistering()
    {
        var registry = new InMemoryModelRegistry(_time);
        await using var loop = Regression().UseRegistry(registry)
            .UseTrainer(new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel()))
            .RetrainWhen(Retrain.EveryNewLabels(10))
            .Build();
        await loop.PromoteAsync(new TrainedModel(new LineModel(0, 10), new byte[16], "line"), Seed, None);
        Demand(loop, 60, shift: 0, seed: 1);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("train failed").And.Contain("performs a binary task, but loop 'demand' is regression");
        (await registry.ListVersionsAsync("demand", None)).Should().ContainSingle("only the promoted line was registered");
    }

    [Fact]
    public async Task RunCycle_ArtifactThatLoadsBackAsAModelOfAnotherTask_FailsWithoutRegistering()
    {
        var registry = new InMemoryModelRegistry(_time);
        var scripted = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var loop = LoopHarness.Builder(_time).UseRegistry(registry).UseTrainer(scripted, new LineLoader()).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), Seed, None);
        LoopHarness.Traffic(loop, _time, 150);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("artifact loads back as a model that cannot serve: the model performs a regression task, but loop 'test' is binary");
        (await registry.ListVersionsAsync("test", None)).Should().ContainSingle();
    }

    [Fact]
    public async Task Restart_ChampionThatLoadsAsAModelOfAnotherTask_IsNotServedAndPredictSaysWhy()
    {
        var registry = new InMemoryModelRegistry(_time);
        await using (var first = Regression().UseRegistry(registry).Build())
        {
            await first.PromoteAsync(new TrainedModel(new LineModel(0, 10), new byte[16], "line"), Seed, None);
        }

        var scripted = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        await using var second = Regression().UseRegistry(registry).UseTrainer(scripted, scripted).Build();

        second.Invoking(l => l.Predict(Events.Vector()))
            .Should().Throw<InvalidOperationException>().WithMessage("*no champion yet*Loading champion*performs a binary task, but loop 'demand' is regression*");
        second.Champion.Should().BeNull();
    }

    [Fact]
    public async Task Restart_MulticlassLoop_ResumesItsRollingOutcomesWithTheirProbabilities()
    {
        var registry = new InMemoryModelRegistry(_time);
        var state = new InMemoryLoopStateStore();
        IReadOnlyDictionary<string, double> before;
        await using (var first = Multiclass().UseRegistry(registry).UseStateStore(state).Build())
        {
            await first.SeedAsync(TicketHistory(300, swapped: false), Seed, None);
            Traffic(first, 250, swapped: false, seed: 1);
            before = (await first.RunCycleAsync(None)).Observed.Metrics;
        }

        await using var second = Multiclass().UseRegistry(registry).UseStateStore(state).Build();
        var after = (await second.RunCycleAsync(None)).Observed.Metrics;

        before.Should().ContainKey("log_loss");
        after.Should().Equal(before, "the rolling window is restored slot for slot, probabilities included");
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("multiclass of other classes")]
    public async Task Restart_StateOfAnotherTask_IsNotRestoredAndSaysWhy(string saved)
    {
        var state = new InMemoryLoopStateStore();
        var other = saved == "binary" ? ModelTask.Binary : ModelTask.Multiclass("low", "mid, high");
        await using (var first = Host(other, new CapturingLoggerFactory()))
        {
            await first.GetRequiredKeyedService<IFeedbackLoop>("tickets").StartAsync(None);
        }

        var logs = new CapturingLoggerFactory();
        await using var second = Host(Tickets, logs);
        var report = await second.GetRequiredKeyedService<IFeedbackLoop>("tickets").RunCycleAsync(None);

        report.Observed.ContainedFailures.Should().Be(1);
        logs.Entries.Select(e => e.Exception?.Message).Should().Contain($"The saved state is of a {other} loop; loop 'tickets' is multiclass[low, mid, high].");

        // The same detector on both sides, so the failure can only be the task's.
        ServiceProvider Host(ModelTask task, CapturingLoggerFactory logger)
        {
            var services = new ServiceCollection().AddSingleton<ILoggerFactory>(logger);
            services.AddFeedbackLoop("tickets", loop => loop.WithSchema(Events.TwoNumbers).UseTimeProvider(_time).ForTask(task)
                .UseTrainer(new CentroidLearner(Tickets)).MonitorErrors(() => new Adwin()).UseStateStore(state));
            return services.BuildServiceProvider();
        }
    }

    [Fact]
    public async Task RecordPath_MulticlassAndRegressionEvents_AllocateNothingOnTheCallersThread()
    {
        static void Small(FeedbackLoopOptions o) => (o.Store.PredictionCapacity, o.TrainingWindowSize) = (64, 64);
        await using var multiclass = Multiclass().Configure(Small).Build();
        await using var regression = Regression().Configure(Small).Build();
        var tickets = Enumerable.Range(0, 128).Select(i => Recorded("tickets", PredictionOutput.Multiclass(Tickets, [0.2, 0.3, 0.5]))).ToArray();
        var demands = Enumerable.Range(0, 128).Select(i => Recorded("demand", PredictionOutput.Regression(i))).ToArray();
        var ticketLabels = tickets.Select(p => Feedback.GroundTruth(p.Id, Label.Categorical("mid"))).ToArray();
        var demandLabels = demands.Select(p => Feedback.GroundTruth(p.Id, Label.Numeric(3.5))).ToArray();

        var allocated = Allocations.OnCurrentThread(() =>
        {
            for (var i = 0; i < tickets.Length; i++)
            {
                multiclass.RecordPrediction(tickets[i]);
                multiclass.RecordFeedback(ticketLabels[i]);
                regression.RecordPrediction(demands[i]);
                regression.RecordFeedback(demandLabels[i]);
            }
        });

        allocated.Should().Be(0);
        (await multiclass.StoreStatisticsAsync()).FeedbackJoined.Should().BeGreaterThan(0);
        (await regression.StoreStatisticsAsync()).FeedbackJoined.Should().BeGreaterThan(0);
    }

    /// <summary>Loads any artifact as a regression line: a loader that does not match its trainer.</summary>
    private sealed class LineLoader : IModelArtifactLoader
    {
        public IPredictor Load(Stream artifact, FeatureSchema schema) => new LineModel(0, 1);
    }

    private static Prediction Recorded(string loop, PredictionOutput output) =>
        new(PredictionId.New(), loop, string.Empty, default, Events.Vector(0.5), output);

    private static void ExpectRollingMetrics(CycleReport report, List<(Label Actual, PredictionOutput Output)> outcomes, ModelTask task)
    {
        var window = outcomes.TakeLast(200).ToArray();
        Label[] actual = [.. window.Select(o => o.Actual)];
        PredictionOutput[] predicted = [.. window.Select(o => o.Output)];
        foreach (var metric in report.Observed.Metrics)
        {
            metric.Value.Should().Be(Metric.All.Single(m => m.Name == metric.Key).Compute(task, actual, predicted), metric.Key);
        }

        report.Observed.Metrics.Should().NotBeEmpty();
    }

    private static string TicketClass(double x1, bool swapped) => (x1 < 1 / 3.0, x1 < 2 / 3.0) switch
    {
        (true, _) => swapped ? "high" : "low",
        (_, true) => "mid",
        _ => swapped ? "low" : "high",
    };

    private static double Accuracy(IEnumerable<(Label Actual, PredictionOutput Output)> outcomes) =>
        outcomes.Average(o => o.Output.Label == o.Actual ? 1.0 : 0.0);

    private static double MeanAbsoluteError(IEnumerable<(Label Actual, PredictionOutput Output)> outcomes) =>
        outcomes.Average(o => Math.Abs(o.Output.Value - o.Actual.AsDouble()));

    private static TrainingSet TicketHistory(int count, bool swapped)
    {
        var random = new Random(42);
        var history = TrainingSet.CreateBuilder(Events.TwoNumbers, Tickets);
        for (var i = 0; i < count; i++)
        {
            var x1 = random.NextDouble();
            history.Add(Events.Vector(x1), Label.Categorical(TicketClass(x1, swapped)));
        }

        return history.Build();
    }

    private static TrainingSet DemandHistory(int count, double shift)
    {
        var random = new Random(42);
        var history = TrainingSet.CreateBuilder(Events.TwoNumbers, ModelTask.Regression);
        for (var i = 0; i < count; i++)
        {
            var x1 = random.NextDouble();
            history.Add(Events.Vector(x1), Label.Numeric(Target(x1, shift, random)));
        }

        return history.Build();
    }

    private static double Target(double x1, double shift, Random random) =>
        (10 * x1) + shift + (0.5 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private List<(Label Actual, PredictionOutput Output)> Traffic(IFeedbackLoop loop, int count, bool swapped, int seed) =>
        Serve(loop, count, seed, (x1, _) => Label.Categorical(TicketClass(x1, swapped)));

    private List<(Label Actual, PredictionOutput Output)> Demand(IFeedbackLoop loop, int count, double shift, int seed) =>
        Serve(loop, count, seed, (x1, random) => Label.Numeric(Target(x1, shift, random)));

    /// <summary>Predicts <paramref name="count"/> inputs with x1 uniform in [0, 1) and reports each one's true label, a second apart.</summary>
    private List<(Label Actual, PredictionOutput Output)> Serve(IFeedbackLoop loop, int count, int seed, Func<double, Random, Label> truth)
    {
        var random = new Random(seed);
        var outcomes = new List<(Label, PredictionOutput)>();
        for (var i = 0; i < count; i++)
        {
            var x1 = random.NextDouble();
            var prediction = loop.Predict(Events.Vector(x1));
            var actual = truth(x1, random);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, actual));
            outcomes.Add((actual, prediction.Output));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        return outcomes;
    }

    private FeedbackLoopBuilder Multiclass()
    {
        var learner = new CentroidLearner(Tickets);
        return new FeedbackLoopBuilder("tickets").WithSchema(Events.TwoNumbers).UseTimeProvider(_time).ForTask(Tickets)
            .UseLearner(learner)
            .MonitorErrors(() => new Adwin())
            .RetrainWhen(Retrain.OnDrift())
            .PromoteWhen(Gates.NoWorseThanChampion(Metric.MacroF1))
            .Configure(o =>
            {
                o.MinimumTrainingExamples = 50;
                o.RollingWindowSize = 200;
            });
    }

    private FeedbackLoopBuilder Regression() =>
        new FeedbackLoopBuilder("demand").WithSchema(Events.TwoNumbers).UseTimeProvider(_time).ForTask(ModelTask.Regression)
            .UseLearner(new LineLearner())
            .RetrainWhen(Retrain.OnDrift())
            .Configure(o =>
            {
                o.MinimumTrainingExamples = 50;
                o.RollingWindowSize = 200;
            });
}
