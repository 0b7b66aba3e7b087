using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>A loop gets its first model from the host's own labelled data, without invented predictions.</summary>
public class SeedTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task SeedAsync_HostsLabelledHistory_TrainsRegistersAndServesTheFirstChampion()
    {
        var registry = new InMemoryModelRegistry(_time);
        await using var loop = LoopHarness.Builder(_time).UseLearner(Learners.LogisticRegression()).UseRegistry(registry).Build();
        var history = TrainingSet.CreateBuilder(Events.TwoNumbers, ModelTask.Binary);
        var random = new Random(4);
        for (var i = 0; i < 300; i++)
        {
            var x1 = random.NextDouble();
            history.Add(Events.Vector(x1, random.NextDouble()), x1 >= 0.5, source: "warehouse");
        }

        var version = await loop.SeedAsync(history.Build(), new AliasChange("host", "first model from the warehouse"), None);

        loop.Champion.Should().Be(version);
        version.Lineage["promotion"].Should().Be("seed");
        version.Lineage["training.sources"].Should().Be("warehouse");
        loop.Predict(Events.Vector(0.9)).Output.Label.Should().Be(Label.Binary(true));
        loop.Predict(Events.Vector(0.1)).Output.Label.Should().Be(Label.Binary(false));
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(2, "seeding records no prediction: nothing was invented");
    }

    [Fact]
    public async Task SeedAsync_LoopAlreadyHasAChampion_Throws()
    {
        await using var loop = LoopHarness.Builder(_time).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        var data = TrainingSet.CreateBuilder(Events.TwoNumbers, ModelTask.Binary).Add(Events.Vector(0.1), false).Add(Events.Vector(0.9), true).Build();

        await loop.Invoking(l => l.SeedAsync(data, new AliasChange("host", "again"), None)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*already has a champion*");
    }

    [Fact]
    public async Task SeedAsync_OtherSchemaOrUnloadableArtifact_Refused()
    {
        var trainer = new ScriptedTrainer(_ => new TrainedModel(new ThresholdModel(0.5), new byte[3], "garbage"));
        await using var loop = LoopHarness.Builder(_time).UseTrainer(trainer, new ThrowingLoader()).Build();
        var other = FeatureSchema.CreateBuilder().Numeric("y").Build();
        var data = TrainingSet.CreateBuilder(Events.TwoNumbers, ModelTask.Binary).Add(Events.Vector(0.1), false).Add(Events.Vector(0.9), true).Build();

        await loop.Invoking(l => l.SeedAsync(TrainingSet.CreateBuilder(other, ModelTask.Binary).Add(FeatureVector.Create(other, [1.0]), true).Build(), new AliasChange("host", "x"), None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*schema*");
        await loop.Invoking(l => l.SeedAsync(data, new AliasChange("host", "x"), None)).Should().ThrowAsync<FormatException>();
        loop.Champion.Should().BeNull("a model whose artifact does not load is never registered");
    }

    private sealed class ThrowingLoader : IModelArtifactLoader
    {
        public IPredictor Load(Stream artifact, FeatureSchema schema) => throw new FormatException("not a model");
    }
}
