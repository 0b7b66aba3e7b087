using FeedbackLoop.Learning;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace FeedbackLoop.Tests.Learning;

public sealed class NumericFeatureScalingTests
{
    [Fact]
    public void MeanAndStandardDeviation_ValuesWhoseSquaresOverflow_FiniteAndExact()
    {
        // Welford's update or a sum of squares overflows on every one of these.
        NumericFeatureScaling.MeanAndStandardDeviation([1e300, -1e300, 1e300, -1e300]).Should().Be((0.0, 1e300));
        NumericFeatureScaling.MeanAndStandardDeviation([double.MaxValue, -double.MaxValue]).Should().Be((0.0, double.MaxValue));
        NumericFeatureScaling.MeanAndStandardDeviation([double.MaxValue, double.MaxValue, double.MaxValue]).Should().Be((double.MaxValue, 0.0));
        var (mean, sd) = NumericFeatureScaling.MeanAndStandardDeviation([1e308, 1e308, -1e308]);
        mean.Should().BeApproximately(1e308 / 3.0, 1e293);
        sd.Should().BeApproximately(Math.Sqrt(8.0 / 9.0) * 1e308, 1e293);
    }

    [Fact]
    public void MeanAndStandardDeviation_SubnormalValues_KeepTheirDigits()
    {
        var (mean, sd) = NumericFeatureScaling.MeanAndStandardDeviation([1e-310, 3e-310]);

        mean.Should().BeApproximately(2e-310, 1e-322);
        sd.Should().BeApproximately(1e-310, 1e-322);
    }

    [Fact]
    public void MeanAndStandardDeviation_OrdinaryValues_TheTextbookTwoPassResult()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 1_000).Select(_ => 52_000.0 + (14_000.0 * (random.NextDouble() - 0.5))).ToArray();
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / values.Length);

        var actual = NumericFeatureScaling.MeanAndStandardDeviation(values);

        actual.Mean.Should().BeApproximately(mean, 1e-15 * mean);
        actual.StandardDeviation.Should().BeApproximately(sd, 1e-13 * sd);
    }

    [Fact]
    public void MeanAndStandardDeviation_NoValuesOrAllZero_Zero()
    {
        NumericFeatureScaling.MeanAndStandardDeviation([]).Should().Be((0.0, 0.0));
        NumericFeatureScaling.MeanAndStandardDeviation([0.0, -0.0]).Should().Be((0.0, 0.0));
    }

    [Fact]
    public void FitFencesAndWinsorise_OneGrossErrorAmongOrdinaryValues_ClippedToAFencePlacedByTheOthers()
    {
        // 0, 1, ..., 99 and one 1e300: the quartiles are 25 and 75 (definition 7), so the fences are 25 - 500 and 75 + 500.
        var values = Enumerable.Range(0, 100).Select(i => (double)i).Append(1e300).ToArray();

        var (lower, upper) = NumericFeatureScaling.FitFencesAndWinsorise(values, out var winsorised);

        (lower, upper).Should().Be((-475.0, 575.0));
        winsorised.Should().Be(1);
        values[^1].Should().Be(575.0);
        values[..^1].Should().Equal(Enumerable.Range(0, 100).Select(i => (double)i));
    }

    [Fact]
    public void FitFencesAndWinsorise_ExtremesOfBothSigns_EachClippedToItsSide()
    {
        double[] values = [-1e308, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 1e308, double.MaxValue];

        var (lower, upper) = NumericFeatureScaling.FitFencesAndWinsorise(values, out var winsorised);

        winsorised.Should().Be(3);
        values.Should().OnlyContain(x => x >= lower && x <= upper);
        values[0].Should().Be(lower);
        values[^1].Should().Be(upper);
        double.IsFinite(lower).Should().BeTrue();
        double.IsFinite(upper).Should().BeTrue();
    }

    [Fact]
    public void FitFencesAndWinsorise_GaussianSample_NothingClipped()
    {
        var random = new MersenneTwister(17);
        var values = Enumerable.Range(0, 100_000).Select(_ => Normal.Sample(random, 10.0, 3.0)).ToArray();
        var copy = values.ToArray();

        var (lower, upper) = NumericFeatureScaling.FitFencesAndWinsorise(values, out var winsorised);

        winsorised.Should().Be(0);
        values.Should().Equal(copy);
        ((upper - 10.0) / 3.0).Should().BeApproximately(14.2, 0.1, "Q3 + 10·IQR lies 0.674σ + 13.49σ above the mean");
        ((10.0 - lower) / 3.0).Should().BeApproximately(14.2, 0.1);
    }

    [Fact]
    public void FitFencesAndWinsorise_IndicatorWithFewOnes_OnesKeptAndAGrossErrorClipped()
    {
        // 95 zeros and 5 ones: the quartiles are both 0, so the spread is the median distance of the ones, 1.
        var values = Enumerable.Repeat(0.0, 95).Concat(Enumerable.Repeat(1.0, 5)).Append(1e300).ToArray();

        var (lower, upper) = NumericFeatureScaling.FitFencesAndWinsorise(values, out var winsorised);

        (lower, upper).Should().Be((-10.0, 10.0));
        winsorised.Should().Be(1);
        values.Count(x => x == 1.0).Should().Be(5);
        values[^1].Should().Be(10.0);
    }

    [Fact]
    public void FitFencesAndWinsorise_ConstantOrEmpty_NoFences()
    {
        double[] constant = [7.25, 7.25, 7.25];

        NumericFeatureScaling.FitFencesAndWinsorise(constant, out var winsorised).Should().Be((double.NegativeInfinity, double.PositiveInfinity));
        winsorised.Should().Be(0);
        NumericFeatureScaling.FitFencesAndWinsorise([], out _).Should().Be((double.NegativeInfinity, double.PositiveInfinity));
    }

    [Fact]
    public void FitFencesAndWinsorise_QuartilesAtOppositeEndsOfTheRange_SpreadOverflowsToNoFence()
    {
        double[] values = [-1e308, -1e308, 0.0, 1e308, 1e308];

        var fences = NumericFeatureScaling.FitFencesAndWinsorise(values, out var winsorised);

        fences.Should().Be((double.NegativeInfinity, double.PositiveInfinity));
        winsorised.Should().Be(0);
        NumericFeatureScaling.MeanAndStandardDeviation(values).StandardDeviation.Should().BeApproximately(Math.Sqrt(0.8) * 1e308, 1e293);
    }
}
