using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// Definition under test: Raab, Heusinger and Schleif (2020) in the form of River's drift.KSWIN. Exact traces against a
// reimplementation driven by scipy.stats.ks_2samp are in StreamingDetectorReferenceTests.
public sealed class KswinTests
{
    [Fact]
    public void Constructor_Defaults_AreRiversDefaults()
    {
        var kswin = new Kswin();

        (kswin.Alpha, kswin.WindowSize, kswin.StatisticSize, kswin.Seed).Should().Be((0.005, 100, 30, 0UL));
        kswin.PValue.Should().Be(1);
    }

    [Fact]
    public void Update_UntilWindowIsFull_DoesNotTest()
    {
        var kswin = new Kswin(windowSize: 10, statisticSize: 5);

        Enumerable.Range(0, 9).Select(i => kswin.Update(i)).Should().OnlyContain(s => s == DriftState.None);
        kswin.Statistic.Should().Be(0);
        kswin.Update(100);
        kswin.Statistic.Should().BeGreaterThan(0, "the tenth value fills the window and triggers the first test");
    }

    [Fact]
    public void Update_CompleteSeparation_DriftsWithTheExactPValue()
    {
        // Newest 5 all above the older 5: D = 1 and the exact p-value is 2 / C(10, 5) = 2 / 252.
        var kswin = new Kswin(alpha: 0.01, windowSize: 10, statisticSize: 5);
        double[] stream = [1, 2, 3, 4, 5, 11, 12, 13, 14, 15];

        stream.Select(kswin.Update).ToArray()[^1].Should().Be(DriftState.Drift);

        kswin.Statistic.Should().Be(1);
        kswin.PValue.Should().BeApproximately(2.0 / 252, 1e-15);
    }

    [Fact]
    public void Update_AfterDrift_EmptiesTheWindowAndRestartsTheSampling()
    {
        var kswin = new Kswin(alpha: 0.01, windowSize: 10, statisticSize: 5);
        double[] stream = [1, 2, 3, 4, 5, 11, 12, 13, 14, 15];
        stream.Select(kswin.Update).ToArray()[^1].Should().Be(DriftState.Drift);
        var fresh = new Kswin(alpha: 0.01, windowSize: 10, statisticSize: 5);

        kswin.Update(20).Should().Be(DriftState.None);
        fresh.Update(20);

        kswin.Snapshot().ToBytes().Should().Equal(fresh.Snapshot().ToBytes());
    }

    [Theory]
    [InlineData(0.0, 100, 30, "alpha")]
    [InlineData(1.0, 100, 30, "alpha")]
    [InlineData(0.005, 100, 1, "statisticSize")]
    [InlineData(0.005, 59, 30, "windowSize")]
    public void Constructor_InvalidParameter_Throws(double alpha, int windowSize, int statisticSize, string parameter)
    {
        Action act = () => _ = new Kswin(alpha, windowSize, statisticSize);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }
}
