using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Simulation.Prequential;

namespace FeedbackLoop.Tests.Simulation;

public sealed class PrequentialEvaluationTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // 500 history samples, then 6,000 predictions; SEA's threshold moves from 8 to 7 at stream index 3,500 = prediction 3,000.
    private static readonly PrequentialOptions Small = new() { History = 500, Predictions = 6_000, LabelDelay = 100, CycleEvery = 250 };

    [Fact]
    public async Task RunAsync_TrainedStrategies_RetrainWhenTheirSchedulesSayAndTheOracleRecoversFirst()
    {
        var learner = Learners.LogisticRegression();
        var result = await PrequentialEvaluation.RunAsync(
            Sea(),
            [PrequentialStrategy.Static(learner), PrequentialStrategy.Periodic(learner, everyLabels: 1_000, window: 1_000), PrequentialStrategy.Oracle(learner)],
            Small,
            None);

        result.DriftPoints.Should().Equal(3_000);
        result.Runs.Should().OnlyContain(r => r.Scores.Count == 6_000);
        result["static"].ModelChanges.Should().BeEmpty();
        result["static"].Trainings.Should().Be(0);

        // The 1,000th label (of prediction 999) arrives after prediction 1,099: the new model serves from 1,100.
        result["periodic-1000"].ModelChanges.Should().Equal(1_100, 2_100, 3_100, 4_100, 5_100);
        result["periodic-1000"].LabelsUsed.Should().Be(5_000);

        // The 200th post-change label (of prediction 3,199) arrives after prediction 3,299; then at 400, 800 and 1,600 of them.
        result["oracle"].ModelChanges.Should().Equal(3_300, 3_500, 3_900, 4_700);
        result["oracle"].LabelsUsed.Should().Be(200 + 400 + 800 + 1_600);

        var statics = result.Summarize("static");
        var oracle = result.Summarize("oracle");
        oracle.AfterChanges.Should().BeGreaterThan(statics.AfterChanges + 0.03, "SEA's threshold moved by 1: the old boundary misclassifies a band of samples");
        oracle.ToOracle.Should().Be(1.0);
        statics.BeforeChange.Should().BeApproximately(oracle.BeforeChange, 1e-12, "both serve the first model before the change");
        oracle.Recoveries[0].Should().NotBeNull();
    }

    [Fact]
    public async Task RunAsync_EachModelChange_IsScoredBesideTheModelItReplacedUntilTheNextChangeOrDriftPoint()
    {
        var learner = Learners.LogisticRegression();
        var result = await PrequentialEvaluation.RunAsync(
            Sea(),
            [PrequentialStrategy.Periodic(learner, everyLabels: 1_000, window: 1_000), PrequentialStrategy.Static(learner), PrequentialStrategy.Oracle(learner)],
            Small,
            None);

        // Changes at 1,100, 2,100, 3,100, 4,100, 5,100; the drift point 3,000 ends the comparison of the one at 2,100.
        result["periodic-1000"].Promotions.Select(p => (p.At, p.Compared)).Should().Equal(
            (1_100L, 1_000L), (2_100L, 900L), (3_100L, 1_000L), (4_100L, 1_000L), (5_100L, 900L));
        result["periodic-1000"].Promotions.Should().OnlyContain(p => p.Gain >= -1.0 && p.Gain <= 1.0);
        result["static"].Promotions.Should().BeEmpty();
        result.Summarize("static").WorstPromotionBeforeChange.Should().Be(double.NaN);

        // The oracle's first model after the change replaces the pre-change model on post-change samples: a clear gain.
        result["oracle"].Promotions[0].Gain.Should().BeGreaterThan(0.02);
        result.Summarize("periodic-1000").WorstPromotionBeforeChange.Should().Be(result["periodic-1000"].Promotions.Take(2).Min(p => p.Gain));
    }

    [Fact]
    public async Task RunAsync_Loop_DetectsTheChangeRetrainsAndComesCloseToTheOracle()
    {
        var learner = Learners.LogisticRegression();
        var result = await PrequentialEvaluation.RunAsync(
            Sea(),
            [
                PrequentialStrategy.Oracle(learner),
                PrequentialStrategy.Loop("loop", clock => new FeedbackLoopBuilder("sea").WithSchema(Sea().Schema).UseTimeProvider(clock)
                    .MonitorErrors(() => new Adwin()).RetrainWhen(Retrain.OnDrift())
                    .Configure(o => o.MinimumTrainingExamples = 100).Build()),
            ],
            Small,
            None);

        var loop = result.Summarize("loop");
        result["loop"].DriftSignals.Should().Contain(s => s >= 3_000, "ADWIN sees the error rate rise after the change");
        loop.DetectionDelays[0].Should().NotBeNull().And.BeLessThan(2_000);
        result["loop"].ModelChanges.Should().Contain(c => c > 3_000);
        var lastChange = result["loop"].ModelChanges[^1];
        result["loop"].Cycles.Should().Contain(c => c.Report.Outcome == CycleOutcome.Promoted && c.Prediction + 1 == lastChange, "a promotion serves from the prediction after its cycle");
        result["oracle"].Cycles.Should().BeEmpty();
        result["loop"].Promotions.Should().NotBeEmpty("the loop's replaced champions are loaded back from its registry and scored beside their successors");
        result["loop"].Promotions.Select(p => p.At).Should().BeSubsetOf(result["loop"].ModelChanges);
        loop.Trainings.Should().BeGreaterThan(0);
        loop.LabelsUsed.Should().BeGreaterThan(0);
        loop.ToOracle.Should().BeInRange(0.9, 1.05);
    }

    [Fact]
    public async Task RunAsync_LabelBudget_LabelsThatShareOfThePredictions()
    {
        var learner = Learners.LogisticRegression();

        var result = await PrequentialEvaluation.RunAsync(
            Sea(), [PrequentialStrategy.Periodic(learner, everyLabels: 1_000, window: 1_000)], Small with { LabelBudget = 0.5 }, None);

        result.Runs[0].ModelChanges.Should().HaveCount(2, "about 2,950 of the 5,900 labels that arrive make two trainings of 1,000");
    }

    [Fact]
    public void WindowsAfterChange_NoChange_NoWindowAndTheWorstIsNaN()
    {
        var result = new PrequentialResult(
            new PrequentialOptions { Predictions = 4 },
            ModelTask.Binary,
            [],
            [
                new PrequentialRun("loop", [1, 0, 1, 1], [], [], 0, 0, TimeSpan.Zero, []),
                new PrequentialRun("periodic", [1, 1, 1, 1], [], [], 0, 0, TimeSpan.Zero, []),
            ]);

        result.WindowsAfterChange("loop", "periodic", width: 2).Should().BeEmpty();
        result.WorstWindowAfterChange("loop", "periodic", width: 2).Should().Be(double.NaN);
        result.Invoking(r => r.WindowsAfterChange("loop", "periodic", width: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Summarize_HandMadeRuns_MeasuresAsDefined()
    {
        // 10 predictions, a change at 4; the run is right except at 4, 5 and 9; it signals at 2 (a false alarm) and 6, and its model changes at 7.
        double[] run = [1, 1, 1, 1, 0, 0, 1, 1, 1, 0];
        var result = new PrequentialResult(
            new PrequentialOptions { Predictions = 10 },
            ModelTask.Binary,
            [4],
            [
                new PrequentialRun("loop", run, [7], [2, 6], 1, 40, TimeSpan.Zero, []),
                new PrequentialRun("oracle", [.. Enumerable.Repeat(1.0, 10)], [6], [], 1, 20, TimeSpan.Zero, []),
            ]);

        var summary = result.Summarize("loop", tail: 5);

        summary.BeforeChange.Should().Be(1.0);
        summary.AfterEachChange.Should().Equal(0.5);
        summary.AfterChanges.Should().Be(0.5);
        summary.ToOracle.Should().Be(0.5);
        summary.Last.Should().Be(0.6);
        summary.DetectionDelays.Should().Equal(2L);
        summary.Recoveries.Should().Equal([null], "a 1,000-prediction window never fits in 6 predictions");
        summary.FalseAlarms.Should().Be(1);
        summary.PromotionsBeforeChange.Should().Be(0);
        summary.FalseAlarmPromotions.Should().Be(0);
        PrequentialResult.Windows(result["loop"], 4).Should().Equal(1.0, 0.5, 0.5);
        result.WindowsAfterChange("loop", "oracle", width: 3).Should().Equal([-2.0 / 3, -1.0 / 3], (a, b) => Math.Abs(a - b) < 1e-15, "[4, 7) holds two misses, [7, 10) one");
        result.WorstWindowAfterChange("loop", "oracle", width: 3).Should().BeApproximately(-2.0 / 3, 1e-15, "[4, 7) holds two misses; [7, 10) one");
        result.WorstWindowAfterChange("oracle", "loop", width: 3).Should().BeApproximately(1.0 / 3, 1e-15);
        result.Concepts.Should().Equal((0L, 4L), (4L, 10L));
    }

    [Fact]
    public void Summarize_RegressionRuns_ReadsTheMeanAbsoluteErrorAndOrientsComparisonsSoHigherIsBetter()
    {
        // Scores are absolute errors; a change at 4. After it the run errs 2 on average and the oracle 1.
        double[] run = [1, 1, 1, 1, 3, 3, 1, 1, 3, 1];
        var result = new PrequentialResult(
            new PrequentialOptions { Predictions = 10 },
            ModelTask.Regression,
            [4],
            [
                new PrequentialRun("loop", run, [], [], 0, 0, TimeSpan.Zero, []),
                new PrequentialRun("oracle", [.. Enumerable.Repeat(1.0, 10)], [], [], 0, 0, TimeSpan.Zero, []),
            ]);

        var summary = result.Summarize("loop", tail: 5);

        result.HigherIsBetter.Should().BeFalse();
        summary.BeforeChange.Should().Be(1.0);
        summary.AfterChanges.Should().Be(2.0);
        summary.ToOracle.Should().Be(0.5, "the oracle's error over the run's: the run is half as good");
        summary.Last.Should().Be(1.8);
        result.WorstWindowAfterChange("loop", "oracle", width: 3).Should().BeApproximately(-4.0 / 3, 1e-15, "[4, 7) errs 7 against 3: the run is worse by 4/3");
        result.WorstWindowAfterChange("oracle", "loop", width: 3).Should().BeApproximately(2.0 / 3, 1e-15);
    }

    [Fact]
    public async Task RunAsync_BadArguments_Throw()
    {
        var learner = Learners.LogisticRegression();

        await FluentActions.Invoking(() => PrequentialEvaluation.RunAsync(Sea(), [PrequentialStrategy.Static(learner), PrequentialStrategy.Static(learner)], Small, None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*same name*");
        await FluentActions.Invoking(() => PrequentialEvaluation.RunAsync(Sea(), [], Small, None)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Invoking(() => PrequentialEvaluation.RunAsync(Sea(), [PrequentialStrategy.Static(learner)], Small with { LabelBudget = 0 }, None))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*label budget*");
        await FluentActions.Invoking(() => PrequentialEvaluation.RunAsync(Sea(), [PrequentialStrategy.Static(learner)], Small with { LabelDelay = -1 }, None))
            .Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Invoking(() => PrequentialEvaluation.RunAsync(Sea(), [PrequentialStrategy.Static(learner)], Small with { DueCheckEvery = 0 }, None))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName(nameof(PrequentialOptions.DueCheckEvery));
        FluentActions.Invoking(() => PrequentialStrategy.Periodic(learner, everyLabels: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => PrequentialStrategy.Oracle(learner, firstAfter: 300, window: 200)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new PrequentialResult(Small, ModelTask.Binary, [], []).Summarize("loop")).Should().Throw<KeyNotFoundException>();
    }

    private static SeaStream Sea() => new(seed: 3, concepts: [0, 2], driftPoints: [3_500], noise: 0.0);
}
