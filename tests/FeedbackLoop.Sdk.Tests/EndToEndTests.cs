using FeedbackLoop.Registry;
using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests;

/// <summary>The whole loop on a simulated production stream with an abrupt concept drift and delayed labels.</summary>
public class EndToEndTests
{
    private const long DriftPoint = 12_000;
    private const int Bootstrap = 2_000;

    [Fact]
    public async Task Loop_AbruptDrift_DetectedAfterTheChangeRetrainedGatedPromotedAndBeatsTheStaleModel()
    {
        var stream = new RotatingHyperplaneStream(seed: 7, dimensions: 10, driftPoints: [DriftPoint], noise: 0.05);
        var replay = new ProductionReplay(stream, labelDelay: 200, cycleEvery: 500);
        var learner = Learners.LogisticRegression();
        using var loop = new FeedbackLoopBuilder("hyperplane")
            .WithSchema(stream.Schema)
            .UseTimeProvider(replay.Clock)
            .UseLearner(learner)
            .MonitorErrors(() => new Ddm())
            .RetrainWhen(Retrain.OnDrift())
            .Build();
        var stale = await TrainInitialModelAsync(stream, learner, loop);

        var result = await replay.RunAsync(loop, stale, count: 24_000, tail: 5_000, CancellationToken.None);

        var drift = result.Detections.Where(d => d.Signal.State == DriftState.Drift).ToList();
        drift.Should().NotBeEmpty();
        drift[0].StreamIndex.Should().BeGreaterThanOrEqualTo(DriftPoint, "no false alarm before the change");
        drift[0].StreamIndex.Should().BeLessThan(DriftPoint + 2_000, "an abrupt change of half the labels is caught quickly");

        var promoted = result.Cycles.Where(c => c.Report.Outcome == CycleOutcome.Promoted).ToList();
        promoted.Should().NotBeEmpty();
        promoted[0].StreamIndex.Should().BeGreaterThan(drift[0].StreamIndex);
        promoted[0].Report.Gate!.Passed.Should().BeTrue();
        promoted[0].Report.Decision.Reason.Should().Contain("drift on errors");
        loop.Champion!.Version.Should().BeGreaterThan(1);

        var before = result.Phases[0];
        var last = result.Phases[^1];
        before.Name.Should().Be("before drift");
        before.LoopAccuracy.Should().BeGreaterThan(0.85);
        last.BaselineAccuracy.Should().BeLessThan(0.75, "half the labels changed under the stale model");
        last.LoopAccuracy.Should().BeGreaterThan(last.BaselineAccuracy + 0.2);
    }

    private static async Task<IPredictor> TrainInitialModelAsync(RotatingHyperplaneStream stream, LogisticRegressionLearner learner, IFeedbackLoop loop)
    {
        var history = TrainingSet.CreateBuilder(stream.Schema, ModelTask.Binary);
        foreach (var sample in stream.Take(Bootstrap))
        {
            history.Add(sample.Features, sample.Label, source: "history");
        }

        var seed = history.Build();
        await loop.SeedAsync(seed, new AliasChange("host", "initial model trained on the first 2,000 samples"), CancellationToken.None);
        return (await learner.TrainAsync(seed, CancellationToken.None)).Predictor;
    }
}
