using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests;

public class FeedbackLoopBuilderTests
{
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
}
