using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// Definition under test: Baena-García et al. (2006), in the decision order of River's drift.binary.EDDM.
public sealed class EddmTests
{
    [Fact]
    public void Constructor_Defaults_AreThePapersDefaults()
    {
        var eddm = new Eddm();

        eddm.MinimumErrors.Should().Be(30);
        eddm.WarningThreshold.Should().Be(0.95);
        eddm.DriftThreshold.Should().Be(0.9);
    }

    [Fact]
    public void Update_ShortSequence_MatchesHandComputedDistances()
    {
        // Errors at 1, 3, 6, 7, 8 (warm-up 1). Distances 1, 2, 3, 1, 1.
        // At 3: mean 1.5, s' = sqrt(0.5) -> level 2.914 (new maximum). At 6: mean 2, s' = 1 -> level 4 (new maximum).
        // At 7: mean 1.75, s' = sqrt(2.75 / 3) -> level 3.665, ratio 0.916: warning (below 0.95, not below 0.9).
        // At 8: mean 1.6, s' = sqrt(3.2 / 4) -> level 3.389, ratio 0.847: drift.
        var eddm = new Eddm(minimumErrors: 1);
        double[] stream = [1, 0, 1, 0, 0, 1, 1, 1];

        var states = stream.Select(eddm.Update).ToArray();

        states.Should().Equal(
            DriftState.None, DriftState.None, DriftState.None, DriftState.None, DriftState.None, DriftState.None, DriftState.Warning, DriftState.Drift);
        eddm.MeanDistance.Should().BeApproximately(1.6, 1e-15);
        eddm.DistanceStandardDeviation.Should().BeApproximately(Math.Sqrt(0.8), 1e-15);
        eddm.Errors.Should().Be(5);
    }

    [Fact]
    public void Update_WarningPersistsThroughCorrectPredictions()
    {
        var eddm = new Eddm(minimumErrors: 1);
        foreach (double x in new double[] { 1, 0, 1, 0, 0, 1, 1 })
        {
            eddm.Update(x);
        }

        eddm.Update(0).Should().Be(DriftState.Warning, "only an error is judged; a correct prediction keeps the state");
    }

    [Fact]
    public void Update_AfterDrift_StartsFreshStatisticWithNextValue()
    {
        var eddm = new Eddm(minimumErrors: 1);
        foreach (double x in new double[] { 1, 0, 1, 0, 0, 1, 1, 1 })
        {
            eddm.Update(x);
        }

        eddm.Update(1).Should().Be(DriftState.None);
        eddm.Count.Should().Be(1);
        eddm.Errors.Should().Be(1);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(-1.0)]
    public void Update_NotAnErrorIndicator_Throws(double value)
    {
        Action act = () => new Eddm().Update(value);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("EDDM takes error indicators*");
    }

    [Theory]
    [InlineData(0, 0.95, 0.9, "minimumErrors")]
    [InlineData(30, 1.0, 0.9, "warningThreshold")]
    [InlineData(30, 0.95, 0.0, "driftThreshold")]
    [InlineData(30, 0.9, 0.95, "driftThreshold")]
    public void Constructor_InvalidParameter_Throws(int minimumErrors, double warning, double drift, string parameter)
    {
        Action act = () => _ = new Eddm(minimumErrors, warning, drift);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }
}
