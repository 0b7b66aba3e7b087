using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>ML.NET models inside the loop: each trainer family, each task, through an abrupt drift and back.</summary>
public class MLNetLoopTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AliasChange Seed = new("host", "history");
    private readonly SimulatedClock _time = new();

    public static TheoryData<string, string> FamiliesAndTasks()
    {
        var data = new TheoryData<string, string>();
        foreach (var family in new[] { "FastTree", "LightGbm", "Linear" })
        {
            foreach (var task in new[] { "binary", "multiclass", "regression" })
            {
                data.Add(family, task);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FamiliesAndTasks))]
    public async Task Loop_AbruptDrift_IsDetectedAndARetrainedMLNetModelRecovers(string family, string taskName)
    {
        var task = taskName switch { "binary" => ModelTask.Binary, "multiclass" => TaskTraffic.Regions, _ => ModelTask.Regression };
        var traffic = new TaskTraffic(task);
        var registry = new InMemoryModelRegistry(_time);
        await using var loop = Builder(traffic, registry).UseMLNet(Pipelines.Named(family)).Build();
        await loop.SeedAsync(traffic.Take(600), Seed, None);

        Serve(loop, traffic, 600);
        var quiet = await loop.RunCycleAsync(None);
        Serve(loop, traffic, 600);
        var drifted = await loop.RunCycleAsync(None);
        Serve(loop, traffic, 400);
        var recovered = await loop.RunCycleAsync(None);

        var (metric, good, bad) = task.Kind switch
        {
            ModelTaskKind.Binary => ("accuracy", 0.85, 0.7),
            ModelTaskKind.Multiclass => ("accuracy", 0.85, 0.5),
            _ => ("mean_absolute_error", 0.35, 1.0),
        };
        drifted.Observed.DriftSignals.Should().Contain(s => s.State == DriftState.Drift && s.Monitor == "errors", drifted.ToString());
        drifted.Outcome.Should().Be(CycleOutcome.Promoted, drifted.ToString());
        if (task.Kind == ModelTaskKind.Regression)
        {
            quiet.Observed.Metrics[metric].Should().BeLessThan(good, quiet.ToString());
            drifted.Observed.Metrics[metric].Should().BeGreaterThan(bad, "the old model misses the shifted target");
            recovered.Observed.Metrics[metric].Should().BeLessThan(good, recovered.ToString());
        }
        else
        {
            quiet.Observed.Metrics[metric].Should().BeGreaterThan(good, quiet.ToString());
            drifted.Observed.Metrics[metric].Should().BeLessThan(bad, "the old model misclassifies the changed concept");
            recovered.Observed.Metrics[metric].Should().BeGreaterThan(good, recovered.ToString());
        }

        loop.Champion!.Description.Should().StartWith("ML.NET ").And.Contain("host pipeline");
        var versions = await registry.ListVersionsAsync(loop.Name, None);
        var reloaded = await loop.LoadVersionAsync(versions[^1].Version, None);
        reloaded.Task.Should().Be(task, "the champion's ML.NET model file loads back as a model of the loop's task");
    }

    [Fact]
    public async Task Restart_ChampionIsAnMLNetModelFile_TheLoopBuiltAgainServesItIdentically()
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        var registry = new InMemoryModelRegistry(_time);
        var inputs = Enumerable.Range(0, 20).Select(_ => traffic.Next().Features).ToArray();
        PredictionOutput[] before;
        await using (var first = Builder(traffic, registry).UseMLNet().Build())
        {
            await first.SeedAsync(traffic.Take(300), Seed, None);
            before = [.. inputs.Select(x => first.Predict(x).Output)];
        }

        await using var second = Builder(traffic, registry).UseMLNet().Build();
        await second.StartAsync(None);

        second.Champion!.Version.Should().Be(1);
        inputs.Select(x => second.Predict(x).Output).Should().Equal(before);
    }

    private FeedbackLoopBuilder Builder(TaskTraffic traffic, IModelRegistry registry) =>
        new FeedbackLoopBuilder("mlnet").WithSchema(traffic.Schema).ForTask(traffic.Task).UseTimeProvider(_time).UseRegistry(registry)
            .RetrainWhen(Retrain.OnDrift())
            .Configure(o =>
            {
                o.MinimumTrainingExamples = 50;
                o.RollingWindowSize = 200;
            });

    /// <summary>Predicts <paramref name="count"/> inputs and reports each one's true label, a second apart.</summary>
    private void Serve(IFeedbackLoop loop, TaskTraffic traffic, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (features, label) = traffic.Next();
            var prediction = loop.Predict(features);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, label));
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
