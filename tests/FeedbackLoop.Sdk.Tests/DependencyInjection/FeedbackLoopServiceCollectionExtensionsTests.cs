using FeedbackLoop.Simulation;
using FeedbackLoop.Drift;
using FeedbackLoop.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests.DependencyInjection;

public class FeedbackLoopServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddFeedbackLoop_TwoNamedLoops_IndependentlyConfiguredAndIsolated()
    {
        var services = new ServiceCollection();
        services.AddFeedbackLoop("credit-risk", loop => loop.WithSchema(s => s.Numeric("income").Numeric("debt_ratio")));
        services.AddFeedbackLoop("churn", loop => loop
            .WithSchema(s => s.Numeric("tenure"))
            .MonitorFeatures()
            .Configure(o => o.Store.OrphanTimeToLive = TimeSpan.FromDays(2)));
        using var provider = services.BuildServiceProvider();

        var credit = provider.GetRequiredKeyedService<IFeedbackLoop>("credit-risk");
        var churn = provider.GetRequiredKeyedService<IFeedbackLoop>("churn");

        credit.Should().NotBeSameAs(churn);
        credit.Schema.Features.Select(f => f.Name).Should().Equal("income", "debt_ratio");
        churn.Schema.Features.Select(f => f.Name).Should().Equal("tenure");
        provider.GetRequiredService<IOptionsMonitor<FeedbackLoopOptions>>().Get("churn").Store.OrphanTimeToLive.Should().Be(TimeSpan.FromDays(2));
        provider.GetRequiredService<IOptionsMonitor<FeedbackLoopOptions>>().Get("credit-risk").Store.OrphanTimeToLive.Should().Be(TimeSpan.FromHours(1));

        churn.RecordPrediction(new Prediction(PredictionId.New(), "churn", "1", default, FeatureVector.Create(churn.Schema, [3.0]), PredictionOutput.FromLabel(true)));
        (await churn.StoreStatisticsAsync()).Predictions.Should().Be(1);
        (await credit.StoreStatisticsAsync()).Predictions.Should().Be(0, "two loops share no state");
    }

    [Fact]
    public void AddFeedbackLoop_CalledTwiceWithTheSameName_RegistersOnceAndReturnsTheSameBuilder()
    {
        var services = new ServiceCollection();

        var first = services.AddFeedbackLoop("churn", loop => loop.WithSchema(s => s.Numeric("tenure")));
        var count = services.Count;
        var second = services.AddFeedbackLoop("churn", loop => loop.Configure(o => o.RollingWindowSize = 7));

        second.Should().BeSameAs(first);
        services.Count.Should().Be(count);
        using var provider = services.BuildServiceProvider();
        provider.GetKeyedServices<IFeedbackLoop>("churn").Should().ContainSingle();
        provider.GetRequiredService<IOptionsMonitor<FeedbackLoopOptions>>().Get("churn").RollingWindowSize.Should().Be(7);
    }

    [Fact]
    public void AddFeedbackLoop_Unnamed_ResolvesAsPlainService()
    {
        var services = new ServiceCollection();
        services.AddFeedbackLoop(loop => loop.WithSchema(s => s.Numeric("x")));
        services.AddFeedbackLoop(loop => loop.Configure(o => o.RollingWindowSize = 9));
        using var provider = services.BuildServiceProvider();

        var loop = provider.GetRequiredService<IFeedbackLoop>();

        loop.Name.Should().Be(FeedbackLoopServiceCollectionExtensions.DefaultName);
        loop.Should().BeSameAs(provider.GetRequiredKeyedService<IFeedbackLoop>(FeedbackLoopServiceCollectionExtensions.DefaultName));
        provider.GetServices<IFeedbackLoop>().Should().ContainSingle();
    }

    [Fact]
    public void AddFeedbackLoop_InvalidOptions_ResolutionListsEveryProblem()
    {
        var services = new ServiceCollection();
        services.AddFeedbackLoop("churn", loop => loop.Configure(o =>
        {
            o.HoldoutFraction = 0;
            o.MinimumTrainingExamples = 1;
        }));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredKeyedService<IFeedbackLoop>("churn");

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().HaveCount(3);
        failures.Should().Contain(f => f.Contains("HoldoutFraction", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("MinimumTrainingExamples", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("schema", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddFeedbackLoop_RegisteredTimeProvider_IsUsed()
    {
        var time = new SimulatedClock(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddFeedbackLoop("churn", loop => loop.WithSchema(Events.TwoNumbers).MonitorErrors(() => new PageHinkley()));
        using var provider = services.BuildServiceProvider();
        var loop = provider.GetRequiredKeyedService<IFeedbackLoop>("churn");

        var report = await loop.RunCycleAsync(CancellationToken.None);

        report.StartedAt.Should().Be(time.GetUtcNow());
    }
}
