using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Simulation.Prequential;

namespace FeedbackLoop.Tests;

/// <summary>The whole loop on a simulated production stream with an abrupt concept drift and delayed labels.</summary>
public class EndToEndTests
{
    private const int History = 2_000;
    private const int DriftAt = 10_000;

    [Fact]
    public async Task Loop_AbruptDrift_DetectedAfterTheChangeRetrainedGatedPromotedAndBeatsTheStaleModel()
    {
        var stream = new RotatingHyperplaneStream(seed: 7, dimensions: 10, driftPoints: [History + DriftAt], noise: 0.05);
        var learner = Learners.LogisticRegression();
        var result = await PrequentialEvaluation.RunAsync(
            stream,
            [
                PrequentialStrategy.Static(learner),
                PrequentialStrategy.Loop("loop", clock => new FeedbackLoopBuilder("hyperplane").WithSchema(stream.Schema).UseTimeProvider(clock)
                    .UseLearner(learner).MonitorErrors(() => new Ddm()).RetrainWhen(Retrain.OnDrift()).Build()),
            ],
            new PrequentialOptions { History = History, Predictions = 22_000, LabelDelay = 200, CycleEvery = 500 },
            CancellationToken.None);

        var loop = result["loop"];
        loop.DriftSignals.Should().NotBeEmpty();
        loop.DriftSignals[0].Should().BeGreaterThanOrEqualTo(DriftAt, "no false alarm before the change");
        loop.DriftSignals[0].Should().BeLessThan(DriftAt + 2_000, "an abrupt change of half the labels is caught quickly");

        var promoted = loop.Cycles.Where(c => c.Report.Outcome == CycleOutcome.Promoted).ToList();
        promoted.Should().NotBeEmpty();
        promoted[0].Prediction.Should().BeGreaterThan(loop.DriftSignals[0]);
        promoted[0].Report.Gate!.Passed.Should().BeTrue();
        promoted[0].Report.Decision.Reason.Should().Contain("drift on errors");
        promoted[^1].Report.Champion!.Version.Should().BeGreaterThan(1);

        PrequentialResult.Metric(loop, 0, DriftAt).Should().BeGreaterThan(0.85);
        var (lastFrom, lastTo) = (22_000 - 5_000, 22_000);
        PrequentialResult.Metric(result["static"], lastFrom, lastTo).Should().BeLessThan(0.75, "half the labels changed under the stale model");
        PrequentialResult.Metric(loop, lastFrom, lastTo).Should().BeGreaterThan(PrequentialResult.Metric(result["static"], lastFrom, lastTo) + 0.2);
    }
}
