using FeedbackLoop.Evaluation;
using FeedbackLoop.Drift;
using FeedbackLoop.Retraining;

namespace FeedbackLoop.Tests.Retraining;

public class RetrainTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RetrainContext Context(
        long labels = 0, DateTimeOffset? lastTrained = null, TimeSpan? elapsed = null, double? accuracy = null, params DriftSignal[] signals) =>
        new(
            Start + (elapsed ?? TimeSpan.Zero),
            Start,
            lastTrained,
            labels,
            signals,
            accuracy is { } a ? new Dictionary<string, double> { ["accuracy"] = a } : new Dictionary<string, double>());

    private static DriftSignal Signal(DriftState state) => new("errors", state, Start, 42);

    [Fact]
    public void OnDrift_DriftSignal_Retrains()
    {
        var decision = Retrain.OnDrift().Evaluate(Context(signals: Signal(DriftState.Drift)));

        decision.ShouldRetrain.Should().BeTrue();
        decision.Reason.Should().Contain("errors").And.Contain("42");
    }

    [Fact]
    public void OnDrift_WarningOnly_Skips() =>
        Retrain.OnDrift().Evaluate(Context(signals: Signal(DriftState.Warning))).ShouldRetrain.Should().BeFalse();

    [Theory]
    [InlineData(99, false)]
    [InlineData(100, true)]
    public void EveryNewLabels_FiresAtTheCount(long labels, bool expected) =>
        Retrain.EveryNewLabels(100).Evaluate(Context(labels)).ShouldRetrain.Should().Be(expected);

    [Fact]
    public void Every_FiresWhenTheIntervalHasPassedSinceTheLastTraining()
    {
        var policy = Retrain.Every(TimeSpan.FromHours(1));

        policy.Evaluate(Context(elapsed: TimeSpan.FromMinutes(59))).ShouldRetrain.Should().BeFalse();
        policy.Evaluate(Context(elapsed: TimeSpan.FromHours(1))).ShouldRetrain.Should().BeTrue();
        policy.Evaluate(Context(lastTrained: Start.AddMinutes(30), elapsed: TimeSpan.FromHours(1))).ShouldRetrain.Should().BeFalse();
    }

    [Fact]
    public void WhenMetricWorseThan_HigherIsBetter_FiresBelowTheThresholdAndWaitsForTheMetric()
    {
        var policy = Retrain.WhenMetricWorseThan(Metric.Accuracy, 0.8);

        policy.Evaluate(Context(accuracy: 0.79)).ShouldRetrain.Should().BeTrue();
        policy.Evaluate(Context(accuracy: 0.8)).ShouldRetrain.Should().BeFalse();
        policy.Evaluate(Context()).Reason.Should().Contain("not available");
    }

    [Fact]
    public void WhenMetricWorseThan_LowerIsBetter_FiresAboveTheThresholdNotWhenTheModelIsGood()
    {
        var policy = Retrain.WhenMetricWorseThan(Metric.LogLoss, 0.5);
        RetrainContext With(double logLoss) => Context() with { Metrics = new Dictionary<string, double> { ["log_loss"] = logLoss } };

        policy.Evaluate(With(0.1)).ShouldRetrain.Should().BeFalse("a log loss of 0.1 is a good model");
        policy.Evaluate(With(0.5)).ShouldRetrain.Should().BeFalse();
        var decision = policy.Evaluate(With(0.7));
        decision.ShouldRetrain.Should().BeTrue();
        decision.Reason.Should().Contain("log_loss 0.7 above 0.5");
    }

    [Fact]
    public void Or_FiresWhenEitherFires()
    {
        var policy = Retrain.OnDrift().Or(Retrain.EveryNewLabels(10));

        policy.Evaluate(Context(labels: 10)).ShouldRetrain.Should().BeTrue();
        policy.Evaluate(Context(signals: Signal(DriftState.Drift))).ShouldRetrain.Should().BeTrue();
        policy.Evaluate(Context(labels: 9)).ShouldRetrain.Should().BeFalse();
    }

    [Fact]
    public void And_FiresOnlyWhenBothFire()
    {
        var policy = Retrain.OnDrift().And(Retrain.EveryNewLabels(10));

        policy.Evaluate(Context(labels: 10)).ShouldRetrain.Should().BeFalse();
        var both = policy.Evaluate(Context(labels: 10, signals: Signal(DriftState.Drift)));
        both.ShouldRetrain.Should().BeTrue();
        both.Reason.Should().Contain("drift").And.Contain("new labels");
    }

    [Fact]
    public void WithCooldown_SuppressesWithinTheCooldown()
    {
        var policy = Retrain.EveryNewLabels(1).WithCooldown(TimeSpan.FromHours(1));

        var within = policy.Evaluate(Context(labels: 5, lastTrained: Start, elapsed: TimeSpan.FromMinutes(30)));
        within.ShouldRetrain.Should().BeFalse();
        within.Reason.Should().Contain("cooldown");
        policy.Evaluate(Context(labels: 5, lastTrained: Start, elapsed: TimeSpan.FromHours(1))).ShouldRetrain.Should().BeTrue();
        policy.Evaluate(Context(labels: 5)).ShouldRetrain.Should().BeTrue("never trained means no cooldown");
    }

    [Fact]
    public void Factories_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => Retrain.EveryNewLabels(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Retrain.Every(TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Retrain.WhenMetricWorseThan(null!, 0.5)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Retrain.WhenMetricWorseThan(Metric.Accuracy, double.NaN)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Retrain.AnyOf()).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Retrain.OnDrift().WithCooldown(TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
