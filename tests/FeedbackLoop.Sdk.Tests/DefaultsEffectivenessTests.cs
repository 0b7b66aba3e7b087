using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Promotion;
using FeedbackLoop.Learning;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Simulation.Prequential;

namespace FeedbackLoop.Tests;

/// <summary>
/// Small seeded prequential runs that pin what docs/loop-effectiveness.md measured at scale, so that no later change to
/// the loop can silently lose it: the default loop recovers close to the oracle after a change and ends at least as
/// good as periodic retraining (DDM with drift-only retraining, the former defaults, stays below 95% of the oracle on SEA seeds 3 and 4 here),
/// and on a stream without a change it raises no drift.
/// </summary>
public class DefaultsEffectivenessTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // 1,000 history samples, then 16,000 predictions with the change at prediction 8,000; labels 200 predictions late.
    private static readonly PrequentialOptions Small = new() { History = 1_000, Predictions = 16_000, LabelDelay = 200, CycleEvery = 500 };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task DefaultLoop_AbruptChangeOnSea_StaysWithin5PercentOfTheOracleAndAsGoodAsASchedule(int seed)
    {
        var result = await RunAsync(new SeaStream(seed, [0, 1], [9_000]), seed);

        var loop = result.Summarize("loop (defaults)", tail: 5_000);
        loop.ToOracle.Should().BeGreaterThan(0.95, "issue 10: no run below 95% of the oracle");
        (double.IsNaN(loop.WorstPromotionBeforeChange) || loop.WorstPromotionBeforeChange >= -0.005).Should().BeTrue(
            $"issue 10: no promotion lowers accuracy by more than 0.5 points (worst {loop.WorstPromotionBeforeChange:P2})");
        loop.Last.Should().BeGreaterThanOrEqualTo(result.Summarize("periodic-5000", tail: 5_000).Last - 0.005, "over the last 5,000 the loop is at least as good as periodic retraining");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DefaultLoop_ConceptChangeOnStagger_RecoversWhereAScheduleAloneLags(int seed)
    {
        var result = await RunAsync(new StaggerStream(seed, [0, 1], [9_000], noise: 0.05), seed);

        var loop = result.Summarize("loop (defaults)");
        loop.ToOracle.Should().BeGreaterThan(0.95, "issue 10: no run below 95% of the oracle");
        loop.AfterChanges.Should().BeGreaterThan(result.Summarize("periodic-5000").AfterChanges + 0.03);
    }

    [Fact]
    public async Task DefaultLoop_ChangeLandingOnAScheduledPromotion_IsStillDetected()
    {
        // Labels at once: the 10,000th label arrives with prediction 9,999, so the schedule's second retrain is promoted
        // for prediction 10,000, the change. Its error detector continues the old model's, so the new concept's errors
        // are measured against the old level instead of becoming the new model's baseline.
        // The default gate keeps a champion that a retrain of the same concept does not beat significantly, so this
        // test takes a gate that promotes ties, for the schedule's retrain to be promoted on the change.
        var stream = new StaggerStream(1, [0, 1], [11_000], noise: 0.05);
        var result = await RunAsync(stream, seed: 1, Small with { LabelDelay = 0 }, b => b.PromoteWhen(Gates.NoWorseThanChampion(Metric.Accuracy)));

        var loop = result.Summarize("loop (defaults)");
        result["loop (defaults)"].ModelChanges.Should().Contain(10_000, "a scheduled promotion lands on the change");
        loop.DetectionDelays[0].Should().NotBeNull();
        loop.ToOracle.Should().BeGreaterThan(0.95);
    }

    [Fact]
    public async Task DefaultLoop_StreamWithoutAChange_RaisesNoDriftAndLosesNoAccuracy()
    {
        var result = await RunAsync(new SeaStream(4, [0], []), seed: 4);

        var loop = result["loop (defaults)"];
        loop.DriftSignals.Should().BeEmpty();
        PrequentialResult.Metric(loop, 0, 16_000).Should().BeGreaterThan(PrequentialResult.Metric(result["static"], 0, 16_000) - 0.005);
    }

    [Fact]
    public async Task DefaultLoop_RecurringConceptOnStagger_AnswersEachChangeBeforeTheNextScheduledCycle()
    {
        // STAGGER's concepts are learned from 200 labels: a loop that waits for its next cycle (every 500 predictions here)
        // after each of the two changes loses to the oracle what the announcement of a due cycle wins back.
        var result = await RunAsync(new StaggerStream(1, [0, 1, 0], [9_000, 13_000], noise: 0.05), seed: 1, Small with { LabelDelay = 0 });

        var loop = result.Summarize("loop (defaults)");
        loop.ToOracle.Should().BeGreaterThan(0.98, "issue 10: 98% of the oracle");
        result["loop (defaults)"].ModelChanges.Where(c => c >= 8_000).Should().Contain(c => c % Small.CycleEvery != 0, "a due cycle ran between two scheduled ones");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DefaultLoop_GradualChangeOnTheHyperplane_StaysCloseToTheOracleAndNoPromotionBeforeItCostsAccuracy(int seed)
    {
        var stream = new ConceptDriftStream(new RotatingHyperplaneStream(seed, 10, []), new RotatingHyperplaneStream(seed, 10, [1]), 9_000, 2_000, seed);
        var result = await RunAsync(stream, seed, Small with { LabelDelay = 0 });

        var loop = result.Summarize("loop (defaults)");
        loop.ToOracle.Should().BeGreaterThan(0.98, "issue 10: 98% of the oracle");
        (double.IsNaN(loop.WorstPromotionBeforeChange) || loop.WorstPromotionBeforeChange >= -0.005).Should().BeTrue(
            $"issue 10: no promotion lowers accuracy by more than 0.5 points (worst {loop.WorstPromotionBeforeChange:P2})");
    }

    [Fact]
    public async Task DefaultLoop_RejectedRetriesAfterAGradualChange_DoNotPostponeTheScheduledRefresh()
    {
        // The run docs/loop-effectiveness.md traced for rule 14, at full scale: the gradual hyperplane, seed 2, labels at
        // once. The post-drift chain is promoted at 38,399 and its retries on as many labels are rejected; they leave the
        // labels counted, so the schedule's retrain comes 5,000 labels after that promotion (it came at 48,999 when each
        // rejection restarted the schedule, and periodic retraining had refreshed its model at 40,000 and 45,000).
        const int history = 2_000;
        var stream = new ConceptDriftStream(new RotatingHyperplaneStream(2, 10, []), new RotatingHyperplaneStream(2, 10, [1]), history + 30_000, 5_000, 2);
        var result = await RunAsync(stream, seed: 2, new PrequentialOptions { History = history, Predictions = 60_000, LabelDelay = 0, CycleEvery = 1_000 });

        result["loop (defaults)"].ModelChanges.Should().Contain(change => change > 40_000 && change < 45_000);
        result.WorstWindowAfterChange("loop (defaults)", "periodic-5000").Should().BeGreaterThan(-0.001, "issue 10: every 10,000 after the change at least as accurate as periodic retraining, within a tenth of a point");
    }

    private static async Task<PrequentialResult> RunAsync(
        IDriftingStream stream, int seed, PrequentialOptions? options = null, Func<FeedbackLoopBuilder, FeedbackLoopBuilder>? configure = null)
    {
        var learner = Learners.LogisticRegression();
        configure ??= b => b;
        return await PrequentialEvaluation.RunAsync(
            stream,
            [
                PrequentialStrategy.Static(learner),
                PrequentialStrategy.Periodic(learner),
                PrequentialStrategy.Loop("loop (defaults)", clock => configure(new FeedbackLoopBuilder("defaults").WithSchema(stream.Schema).UseTimeProvider(clock)).Build()),
                PrequentialStrategy.Oracle(learner),
            ],
            (options ?? Small) with { Seed = seed },
            None);
    }
}
