using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>A version registered with another schema's fingerprint is refused before its artifact is read.</summary>
public class SchemaFingerprintTests
{
    [Fact]
    public async Task StartAsync_ChampionOfAnotherSchema_RefusedWithAClearErrorAndNotLoaded()
    {
        var time = new SimulatedClock();
        var registry = new InMemoryModelRegistry(time);
        var loader = new CountingLoader();
        var other = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x9").Build();
        var version = await registry.RegisterAsync(
            new ModelRegistration("test", BitConverter.GetBytes(0.5), "other schema", new Dictionary<string, double>(), new Dictionary<string, string>())
            {
                SchemaFingerprint = other.Fingerprint,
            },
            CancellationToken.None);
        await registry.SetAliasAsync("test", ModelAliases.Champion, version.Version, new AliasChange("host", "old"), CancellationToken.None);
        await using var loop = LoopHarness.Builder(time).UseTrainer(new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel()), loader).UseRegistry(registry).Build();

        await loop.StartAsync(CancellationToken.None);

        loop.Champion.Should().BeNull();
        loader.Calls.Should().Be(0, "the fingerprint is checked before the artifact is read");
        loop.Invoking(l => l.Predict(Events.Vector())).Should().Throw<InvalidOperationException>().WithMessage("*another schema*fingerprint*");
    }

    [Fact]
    public async Task PromoteAsync_RegistersTheLoopsSchemaFingerprint()
    {
        var registry = new InMemoryModelRegistry();
        await using var loop = LoopHarness.Builder(new SimulatedClock()).UseRegistry(registry).Build();

        var version = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), CancellationToken.None);

        version.SchemaFingerprint.Should().Be(Events.TwoNumbers.Fingerprint);
        (await registry.GetVersionAsync("test", 1, CancellationToken.None))!.SchemaFingerprint.Should().Be(Events.TwoNumbers.Fingerprint);
    }

    private sealed class CountingLoader : IModelArtifactLoader
    {
        public int Calls { get; private set; }

        public IPredictor Load(Stream artifact, FeatureSchema schema)
        {
            Calls++;
            return new ThresholdModel(ThresholdModel.ReadThreshold(artifact));
        }
    }
}
