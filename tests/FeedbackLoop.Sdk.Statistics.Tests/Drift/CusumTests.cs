using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// Definition under test: Page (1954) tabular CUSUM with the running mean as target, as MOA's CusumDM.
public sealed class CusumTests
{
    [Fact]
    public void Constructor_Defaults_AreMoasDefaults()
    {
        var cusum = new Cusum();

        cusum.MinimumInstances.Should().Be(30);
        cusum.Delta.Should().Be(0.005);
        cusum.Threshold.Should().Be(50);
        cusum.Direction.Should().Be(ChangeDirection.Up);
    }

    [Fact]
    public void Update_ShortIncrease_MatchesHandComputedSums()
    {
        // δ = 0.5, λ = 1. x = 0: mean 0, S+ = max(0, 0 - 0.5) = 0. x = 2: mean 1, S+ = 0 + (1 - 0.5) = 0.5.
        // x = 2: mean 4/3, S+ = 0.5 + (2/3 - 0.5) = 2/3. x = 5: mean 9/4, S+ = 2/3 + (11/4 - 0.5) = 2.9167 > 1: drift.
        var cusum = new Cusum(minimumInstances: 1, delta: 0.5, threshold: 1);

        cusum.Update(0).Should().Be(DriftState.None);
        cusum.Update(2).Should().Be(DriftState.None);
        cusum.IncreaseSum.Should().BeApproximately(0.5, 1e-15);
        cusum.Update(2).Should().Be(DriftState.None);
        cusum.IncreaseSum.Should().BeApproximately(2.0 / 3, 1e-15);
        cusum.Update(5).Should().Be(DriftState.Drift);
        cusum.IncreaseSum.Should().BeApproximately((2.0 / 3) + 2.25, 1e-15);
        cusum.DecreaseSum.Should().Be(0);
    }

    [Fact]
    public void Update_AfterDrift_StartsFreshStatisticWithNextValue()
    {
        var cusum = new Cusum(minimumInstances: 1, delta: 0.5, threshold: 1);
        foreach (double x in new double[] { 0, 2, 2, 5 })
        {
            cusum.Update(x);
        }

        cusum.Count.Should().Be(4, "the statistics stay readable on the drifting value");
        cusum.Update(7).Should().Be(DriftState.None);
        cusum.Count.Should().Be(1);
        cusum.Mean.Should().Be(7);
    }

    [Fact]
    public void Update_Decrease_OnlyDirectionsWatchingDecreasesSignal()
    {
        // At the first 0: mean 15 / 4, so S- = max(0, 0 - (-3.75 + 0.5)) = 3.25 > 1.
        double[] falling = [5, 5, 5, 0];

        falling.Select(new Cusum(1, 0.5, 1, ChangeDirection.Up).Update).Should().NotContain(DriftState.Drift);
        falling.Select(new Cusum(1, 0.5, 1, ChangeDirection.Down).Update).ToArray()[^1].Should().Be(DriftState.Drift);
        falling.Select(new Cusum(1, 0.5, 1, ChangeDirection.Both).Update).ToArray()[^1].Should().Be(DriftState.Drift);
    }

    [Fact]
    public void Update_BelowMinimumInstances_NeverSignals()
    {
        var cusum = new Cusum(minimumInstances: 10, delta: 0, threshold: 0.1);

        Enumerable.Range(0, 9).Select(i => cusum.Update(i * 100)).Should().OnlyContain(s => s == DriftState.None);
        cusum.Update(1_000).Should().Be(DriftState.Drift);
    }

    [Theory]
    [InlineData(0, 0.005, 50.0, ChangeDirection.Up, "minimumInstances")]
    [InlineData(30, -0.1, 50.0, ChangeDirection.Up, "delta")]
    [InlineData(30, double.NaN, 50.0, ChangeDirection.Up, "delta")]
    [InlineData(30, 0.005, 0.0, ChangeDirection.Up, "threshold")]
    [InlineData(30, 0.005, double.PositiveInfinity, ChangeDirection.Up, "threshold")]
    [InlineData(30, 0.005, 50.0, (ChangeDirection)9, "direction")]
    public void Constructor_InvalidParameter_Throws(int minimumInstances, double delta, double threshold, ChangeDirection direction, string parameter)
    {
        Action act = () => _ = new Cusum(minimumInstances, delta, threshold, direction);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }
}
