using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// The limiting distribution behind the asymptotic p-value. Its series used to run until a term fell below 1e-7, which
// a NaN or infinite term never does (the loop hung), and which a huge statistic reached after a single tiny term
// (p-value near 1 for an overwhelming drift). These checks call the function directly: no timeout is needed, they
// return at once.
public sealed class CramerVonMisesTestTests
{
    [Fact]
    public void LimitingCdf_NaN_ReturnsNaN() =>
        CramerVonMisesTest.LimitingCdf(double.NaN).Should().Be(double.NaN);

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.MaxValue)]
    [InlineData(1e30)]
    [InlineData(CramerVonMisesTest.SeriesLimit)]
    public void LimitingCdf_InfiniteOrHugeStatistic_ReturnsOne(double x) =>
        CramerVonMisesTest.LimitingCdf(x).Should().Be(1);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NegativeInfinity)]
    public void LimitingCdf_ZeroOrNegative_ReturnsZero(double x) =>
        CramerVonMisesTest.LimitingCdf(x).Should().Be(0);

    [Fact]
    public void LimitingCdf_JustBelowTheSeriesLimit_ConvergesWithinTheTermBound()
    {
        // About 2 √x = 630 terms are needed here; a bound that cut the series short would leave the sum far below 1.
        double x = Math.BitDecrement(CramerVonMisesTest.SeriesLimit);

        CramerVonMisesTest.LimitingCdf(x).Should().BeInRange(1 - 1e-5, 1);
        CramerVonMisesTest.MaximumTerms.Should().BeGreaterThan((int)(2 * Math.Sqrt(x)) + 10);
    }

    [Theory]
    [InlineData(0.46136, 0.05)]
    [InlineData(0.74346, 0.01)]
    [InlineData(1.16786, 0.001)]
    public void LimitingCdf_AtPublishedCriticalValues_GivesTheirLevels(double x, double level) =>
        // Upper percentage points of the limiting distribution, Anderson and Darling (1952), Ann. Math. Statist. 23, Table 1.
        (1 - CramerVonMisesTest.LimitingCdf(x)).Should().BeApproximately(level, level * 1e-3);
}
