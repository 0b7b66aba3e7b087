using FeedbackLoop.Drift;
using FeedbackLoop.Registry;
using FeedbackLoop.Rollout;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Rollout;

/// <summary>The router seam: which loaded model serves a prediction, and monitors kept per serving version.</summary>
public class ModelRouterTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task Predict_CustomRouter_SeesTheRequestAndTheServedModelsAndItsChoiceIsRecorded()
    {
        var router = new RecordingRouter();
        var sink = new RecordingSink();
        await using var loop = LoopHarness.Builder(_time).RouteWith(router).AddSink(sink).Build();
        var version = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        var prediction = loop.Predict(Events.Vector(0.7));
        await loop.FlushAsync(None);

        router.Seen.Should().ContainSingle().Which.Should().Be((prediction.Id, version.Version));
        prediction.ModelVersion.Should().Be("1");
        sink.Predictions.Single().Prediction.ModelVersion.Should().Be("1", "each prediction records the version that served it");
    }

    [Fact]
    public async Task Predict_RouterChoosesNothing_ThrowsClearly()
    {
        await using var loop = LoopHarness.Builder(_time).RouteWith(new NullRouter()).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        loop.Invoking(l => l.Predict(Events.Vector())).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void ChampionRouter_RoutesToTheChampionOrNothing()
    {
        var version = new ModelVersion("m", 3, "00", 1, default, "d", new Dictionary<string, double>(), new Dictionary<string, string>());
        var champion = new ServingModel(version, new ThresholdModel(0.5));

        ChampionRouter.Instance.Route(PredictionId.New(), Events.Vector(), new ServingSet(champion)).Should().BeSameAs(champion);
        ChampionRouter.Instance.Route(PredictionId.New(), Events.Vector(), ServingSet.Empty).Should().BeNull();
        new ServingSet(champion).Find("3").Should().BeSameAs(champion);
        new ServingSet(champion).Find("4").Should().BeNull();
    }

    [Fact]
    public async Task Labels_ForAVersionNoLongerServed_FeedNoErrorMonitor()
    {
        var detectors = new List<CountingDetector>();
        await using var loop = LoopHarness.Builder(_time).MonitorErrors(() =>
        {
            var detector = new CountingDetector();
            detectors.Add(detector);
            return detector;
        }).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "v1"), None);
        var old = Enumerable.Range(0, 20).Select(_ => loop.Predict(Events.Vector(0.7))).ToList();
        await loop.PromoteAsync(new ThresholdModel(0.4).ToTrainedModel(), new AliasChange("host", "v2"), None);

        foreach (var prediction in old)
        {
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, false));
        }

        var fresh = loop.Predict(Events.Vector(0.7));
        loop.RecordFeedback(Feedback.GroundTruth(fresh.Id, true));
        var report = await loop.RunCycleAsync(None);

        detectors.Should().HaveCount(3, "the host monitor, then one per served version");
        detectors[^1].Updates.Should().Be(1, "only the label of a prediction v2 served reaches v2's error monitor");
        report.Observed.LabelsSinceLastTraining.Should().Be(21, "every label is counted for training");
    }

    private sealed class RecordingRouter : IModelRouter
    {
        public List<(PredictionId Id, int Version)> Seen { get; } = [];

        public ServingModel? Route(PredictionId id, FeatureVector features, ServingSet models)
        {
            Seen.Add((id, models.Champion!.Version.Version));
            return models.Champion;
        }
    }

    private sealed class NullRouter : IModelRouter
    {
        public ServingModel? Route(PredictionId id, FeatureVector features, ServingSet models) => null;
    }

    private sealed class CountingDetector : IDriftDetector
    {
        public int Updates { get; private set; }

        public DriftState State => DriftState.None;

        public DriftState Update(double value)
        {
            Updates++;
            return DriftState.None;
        }

        public void Reset() => Updates = 0;
    }
}
