using FeedbackLoop.Drift;
using FeedbackLoop.Inference;

namespace FeedbackLoop.Tests.Drift;

public sealed class MultipleTestingTests
{
    // Benjamini and Hochberg (1995), JRSS B 57(1), section 4.2: the 15 p-values of the myocardial infarction study.
    // At q = 0.05 the step-up procedure rejects the four smallest; Bonferroni at 0.05 rejects three.
    private static readonly double[] PaperPValues =
        [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000];

    [Fact]
    public void Adjust_BenjaminiHochbergOnThePapersExample_RejectsFour() =>
        MultipleTesting.Adjust(PaperPValues, MultipleTestingCorrection.BenjaminiHochberg).Count(q => q < 0.05).Should().Be(4);

    [Fact]
    public void Adjust_BonferroniOnThePapersExample_RejectsThree() =>
        MultipleTesting.Adjust(PaperPValues, MultipleTestingCorrection.Bonferroni).Count(q => q < 0.05).Should().Be(3);

    [Fact]
    public void Adjust_UnsortedInput_MatchesHandComputedValuesInInputOrder()
    {
        // Sorted: 0.005, 0.01, 0.03, 0.04; m p_(j) / j = 0.02, 0.02, 0.04, 0.04; running minimum from the top.
        double[] p = [0.01, 0.04, 0.03, 0.005];

        MultipleTesting.Adjust(p, MultipleTestingCorrection.BenjaminiHochberg).Should().Equal(0.02, 0.04, 0.04, 0.02);
        MultipleTesting.Adjust(p, MultipleTestingCorrection.Bonferroni).Should().Equal(0.04, 0.16, 0.12, 0.02);
        MultipleTesting.Adjust(p, MultipleTestingCorrection.None).Should().Equal(p);
    }

    [Fact]
    public void Adjust_LargeProducts_AreCappedAtOne()
    {
        MultipleTesting.Adjust([0.5, 0.9], MultipleTestingCorrection.Bonferroni).Should().Equal(1.0, 1.0);
        MultipleTesting.Adjust([0.9, 0.95], MultipleTestingCorrection.BenjaminiHochberg).Should().Equal(0.95, 0.95);
    }

    [Fact]
    public void Adjust_Empty_ReturnsEmpty() =>
        MultipleTesting.Adjust([], MultipleTestingCorrection.BenjaminiHochberg).Should().BeEmpty();

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void Adjust_PValueOutsideUnitInterval_Throws(double bad)
    {
        Action act = () => MultipleTesting.Adjust([0.1, bad], MultipleTestingCorrection.Bonferroni);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*index 1*[0, 1]*");
    }

    [Fact]
    public void Adjust_UndefinedCorrection_Throws()
    {
        Action act = () => MultipleTesting.Adjust([0.1], (MultipleTestingCorrection)7);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*correction*");
    }
}
