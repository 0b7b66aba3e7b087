using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests;

public class FeedbackLoopBuilderTests
{
    [Fact]
    public async Task MonitorFeatures_Default_IsQuietOnAStationaryWideFeature_AndSignalsAShiftOfItsMean()
    {
        // Page-Hinkley's threshold of 50 is in the feature's units: on x1 uniform in [0, 1000) it signals again and again.
        // The default detector's test scales with the feature's variance.
        var time = new SimulatedClock();
        await using var loop = new FeedbackLoopBuilder("features").WithSchema(Events.TwoNumbers).UseTimeProvider(time).MonitorFeatures().Build();
        var random = new Random(7);
        void Record(int count, double from)
        {
            for (var i = 0; i < count; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                var features = Events.Vector(from + (1_000 * random.NextDouble()), random.NextDouble());
                loop.RecordPrediction(new Prediction(PredictionId.New(), "features", "1", time.GetUtcNow(), features, PredictionOutput.FromLabel(true), null));
            }
        }

        Record(20_000, from: 0);
        var stationary = (await loop.RunCycleAsync(CancellationToken.None)).Observed.DriftSignals;
        Record(2_000, from: 300);
        var shifted = (await loop.RunCycleAsync(CancellationToken.None)).Observed.DriftSignals;

        stationary.Should().BeEmpty("20,000 values of a stationary feature, however wide");
        shifted.Should().Contain(s => s.Monitor == "feature:x1" && s.State == Drift.DriftState.Drift, "the mean of x1 rose by 300").And
            .NotContain(s => s.Monitor == "feature:x2");
    }

    [Fact]
    public void Build_WithoutDependencyInjection_Works()
    {
        using var loop = new FeedbackLoopBuilder("churn").WithSchema(s => s.Numeric("tenure").Categorical("plan")).Build();

        loop.Name.Should().Be("churn");
        loop.Schema.Features.Select(f => f.Name).Should().Equal("tenure", "plan");
        loop.Champion.Should().BeNull();
    }

    [Fact]
    public void Build_InvalidOptions_OneExceptionListsEveryProblem()
    {
        var builder = new FeedbackLoopBuilder("churn")
            .MonitorFeature("x9", () => new FeedbackLoop.Drift.PageHinkley())
            .Configure(o =>
            {
                o.TrainingWindowSize = 1;
                o.HoldoutFraction = 1.5;
                o.RollingWindowSize = 0;
                o.Store.OrphanTimeToLive = TimeSpan.Zero;
            });

        var act = () => builder.Build();

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("TrainingWindowSize", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("HoldoutFraction", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("RollingWindowSize", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("OrphanTimeToLive", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("schema", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_MonitoredFeatureUnknownOrCategorical_ReportsBoth()
    {
        var builder = new FeedbackLoopBuilder("churn")
            .WithSchema(s => s.Numeric("tenure").Categorical("plan"))
            .MonitorFeature("age", () => new FeedbackLoop.Drift.PageHinkley())
            .MonitorFeature("plan", () => new FeedbackLoop.Drift.PageHinkley());

        var failures = builder.Invoking(b => b.Build()).Should().Throw<OptionsValidationException>().Which.Failures.ToList();

        failures.Should().HaveCount(2);
        failures.Should().Contain(f => f.Contains("'age'", StringComparison.Ordinal) && f.Contains("not in the schema", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("'plan'", StringComparison.Ordinal) && f.Contains("categorical", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_MinimumAboveWindowAndCapacityBelowWindow_Reported()
    {
        var builder = LoopHarness.Builder(new SimulatedClock()).Configure(o =>
        {
            o.TrainingWindowSize = 1_000;
            o.MinimumTrainingExamples = 2_000;
            o.Store.PredictionCapacity = 500;
        });

        var failures = builder.Invoking(b => b.Build()).Should().Throw<OptionsValidationException>().Which.Failures.ToList();

        failures.Should().HaveCount(2);
    }

    [Fact]
    public void FeatureSchemaBuilder_DuplicateOrEmptyName_Throws()
    {
        FluentActions.Invoking(() => FeatureSchema.CreateBuilder().Numeric("a").Categorical("a"))
            .Should().Throw<ArgumentException>().WithMessage("*'a' is declared twice*");
        FluentActions.Invoking(() => FeatureSchema.CreateBuilder().Numeric(" "))
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => FeatureSchema.CreateBuilder().Build())
            .Should().Throw<InvalidOperationException>().WithMessage("*at least one feature*");
    }

    [Theory]
    [InlineData("credit risk")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    public void Constructor_NameTheRegistryWouldRefuse_Throws(string name) =>
        FluentActions.Invoking(() => new FeedbackLoopBuilder(name)).Should().Throw<ArgumentException>().WithMessage("*Model name*invalid*");

    [Fact]
    public void Constructor_NameLongerThanTheRegistryAccepts_Throws() =>
        FluentActions.Invoking(() => new FeedbackLoopBuilder(new string('n', 200))).Should().Throw<ArgumentException>().WithMessage("*200 characters*");

    [Fact]
    public void Build_ExtremeOptions_RefusedAtStartUpNotLater()
    {
        var builder = LoopHarness.Builder(new SimulatedClock()).Configure(o =>
        {
            o.RollingWindowSize = int.MaxValue;
            o.Store.OrphanTimeToLive = TimeSpan.MaxValue;
            o.Store.MaxFeedbackPerPrediction = 0;
            o.Events.Capacity = 1;
            o.Events.MaxBatchSize = 0;
            o.Events.FullMode = (FeedbackLoop.Pipeline.EventQueueFullMode)9;
            o.Events.ShutdownTimeout = TimeSpan.FromDays(1);
            o.Events.PerCallTimeout = TimeSpan.Zero;
            o.Limits.MaxStringLength = 0;
            o.Limits.MaxSegments = -1;
        });

        var failures = builder.Invoking(b => b.Build()).Should().Throw<OptionsValidationException>().Which.Failures.ToList();

        failures.Should().HaveCount(10);
        failures.Should().Contain(f => f.Contains("PerCallTimeout", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("RollingWindowSize", StringComparison.Ordinal) && f.Contains("1000000", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("OrphanTimeToLive", StringComparison.Ordinal) && f.Contains("365 days", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseTrainerOfT_TwoServiceProviders_EachLoopGetsItsOwnTrainer()
    {
        var services = new ServiceCollection();
        services.AddFeedbackLoop("churn", loop => loop.WithSchema(s => s.Numeric("x1").Numeric("x2")).UseTrainer<CountingTrainer>());
        await using var first = services.BuildServiceProvider();
        await using var second = services.BuildServiceProvider();

        first.GetRequiredKeyedService<IFeedbackLoop>("churn");
        second.GetRequiredKeyedService<IFeedbackLoop>("churn");

        CountingTrainer.Created.Should().Be(2, "a trainer created from one provider must not serve a loop of another");
    }

    [Fact]
    public async Task UseRegistry_Factory_ResolvesTheRegistryFromTheProvider()
    {
        var registry = new InMemoryModelRegistry(new SimulatedClock());
        var services = new ServiceCollection().AddSingleton<IModelRegistry>(registry);
        services.AddFeedbackLoop("churn", loop => loop.WithSchema(s => s.Numeric("x1").Numeric("x2")).UseRegistry(c => c.Services.GetRequiredService<IModelRegistry>()));
        await using var provider = services.BuildServiceProvider();
        var loop = provider.GetRequiredKeyedService<IFeedbackLoop>("churn");

        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), CancellationToken.None);

        (await registry.GetByAliasAsync("churn", ModelAliases.Champion, CancellationToken.None))!.Version.Should().Be(1);
    }

    [Fact]
    public async Task ComponentFactories_TheLoopDisposesWhatTheyHandOver_AndNotWhatIsShared()
    {
        var owned = new DisposableStore();
        var shared = new DisposableStore();
        var context = default(LoopComponentContext);
        var first = LoopHarness.Builder(new SimulatedClock(), "owner").UseStore(loop => (context = loop).Own(owned)).Build();
        var second = LoopHarness.Builder(new SimulatedClock(), "sharer").UseStore(_ => shared).Build();

        await first.DisposeAsync();
        await second.DisposeAsync();

        (owned.Disposed, shared.Disposed).Should().Be((1, 0));
        (context!.LoopName, context.Schema, context.Task).Should().Be(("owner", Events.TwoNumbers, ModelTask.Binary), "the factory knows which loop it creates for");
        context.Invoking(c => c.Own<object>(null!)).Should().Throw<ArgumentNullException>();
    }

    private sealed class DisposableStore() : DelegatingEventStore(Events.TwoNumbers), IDisposable
    {
        public int Disposed { get; private set; }

        public void Dispose() => Disposed++;
    }

    private sealed class CountingTrainer : IModelTrainer
    {
        private static int s_created;

        public CountingTrainer() => Interlocked.Increment(ref s_created);

        public static int Created => Volatile.Read(ref s_created);

        public Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken) =>
            Task.FromResult(new ThresholdModel(0.5).ToTrainedModel());
    }
}
