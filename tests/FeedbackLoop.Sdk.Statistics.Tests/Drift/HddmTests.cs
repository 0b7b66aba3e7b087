using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// Definitions under test: Frías-Blanco et al. (2015), HDDM_A (Algorithm 1, Corollary 1) and HDDM_W (Algorithm 2,
// Theorem 2). The exact traces are in StreamingDetectorReferenceTests.
public sealed class HddmTests
{
    [Fact]
    public void Constructors_Defaults_AreThePapersDefaults()
    {
        var a = new HddmA();
        var w = new HddmW();

        (a.DriftConfidence, a.WarningConfidence, a.TwoSided).Should().Be((0.001, 0.005, false));
        (w.DriftConfidence, w.WarningConfidence, w.Lambda, w.TwoSided).Should().Be((0.001, 0.005, 0.05, false));
    }

    [Fact]
    public void HddmA_AllZerosThenAllOnes_DriftsWhenCorollaryOneBoundIsCrossed()
    {
        // After 100 zeros the cut point stays at n_cut = 100 (mean 0); after k ones the test is
        // k / (100 + k) >= sqrt(m / 2 · ln(2 / 0.001)) with m = k / (100 (100 + k)). The first k that passes it:
        int expected = Enumerable.Range(1, 100).First(k =>
            (double)k / (100 + k) >= Math.Sqrt((double)k / 100 / (100 + k) / 2 * Math.Log(2 / 0.001)));
        var detector = new HddmA();
        for (int i = 0; i < 100; i++)
        {
            detector.Update(0);
        }

        int first = Enumerable.Range(1, 100).First(_ => detector.Update(1) == DriftState.Drift);

        first.Should().Be(expected);
    }

    [Fact]
    public void HddmW_FirstValues_StartTheEwmaWithUnitWeight()
    {
        var detector = new HddmW(lambda: 0.25);

        detector.Update(1);
        detector.Estimate.Should().Be(1);
        detector.Update(0);
        detector.Estimate.Should().Be(0.75);
    }

    [Fact]
    public void Update_AfterDrift_StartsFreshStatisticWithNextValue()
    {
        var a = new HddmA();
        var w = new HddmW();
        foreach (double x in StreamingDetectorContractTests.ShiftingErrors(seed: 31))
        {
            if (a.State != DriftState.Drift)
            {
                a.Update(x);
            }

            if (w.State != DriftState.Drift)
            {
                w.Update(x);
            }
        }

        a.State.Should().Be(DriftState.Drift);
        w.State.Should().Be(DriftState.Drift);
        a.Update(1).Should().Be(DriftState.None);
        a.Count.Should().Be(1);
        w.Update(0).Should().Be(DriftState.None);
        w.Estimate.Should().Be(0);
    }

    [Fact]
    public void Update_Decrease_OnlyTheTwoSidedTestSignals()
    {
        double[] falling = [.. Enumerable.Repeat(1.0, 300), .. Enumerable.Repeat(0.0, 300)];

        falling.Select(new HddmA().Update).Should().NotContain(DriftState.Drift);
        falling.Select(new HddmA(twoSided: true).Update).Should().Contain(DriftState.Drift);
        falling.Select(new HddmW().Update).Should().NotContain(DriftState.Drift);
        falling.Select(new HddmW(twoSided: true).Update).Should().Contain(DriftState.Drift);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    public void Update_OutsideUnitInterval_Throws(double value)
    {
        Action a = () => new HddmA().Update(value);
        Action w = () => new HddmW().Update(value);

        a.Should().Throw<ArgumentOutOfRangeException>().WithMessage("HDDM_A takes values in [0, 1]*");
        w.Should().Throw<ArgumentOutOfRangeException>().WithMessage("HDDM_W takes values in [0, 1]*");
    }

    [Theory]
    [InlineData(0.0, 0.005, 0.05, "driftConfidence")]
    [InlineData(1.0, 0.005, 0.05, "driftConfidence")]
    [InlineData(0.001, 1.5, 0.05, "warningConfidence")]
    [InlineData(0.01, 0.005, 0.05, "warningConfidence")]
    [InlineData(0.001, 0.005, 0.0, "lambda")]
    [InlineData(0.001, 0.005, 1.0, "lambda")]
    public void Constructor_InvalidParameter_Throws(double drift, double warning, double lambda, string parameter)
    {
        Action w = () => _ = new HddmW(drift, warning, lambda);
        w.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
        if (parameter != "lambda")
        {
            Action a = () => _ = new HddmA(drift, warning);
            a.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
        }
    }
}
