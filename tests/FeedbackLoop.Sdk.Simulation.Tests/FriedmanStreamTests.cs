using FeedbackLoop.Models;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class FriedmanStreamTests
{
    [Fact]
    public void Next_NoDrift_FollowsFriedmanOneWithStandardNormalNoise()
    {
        var samples = new FriedmanStream(seed: 1).Take(20_000).ToList();

        samples.Should().OnlyContain(s => s.Label.Kind == LabelKind.Numeric && s.Concept == 0);
        samples.SelectMany(s => s.Features.Numeric.ToArray()).Should().OnlyContain(x => x >= 0.0 && x < 1.0);
        var residuals = samples.Select(s => s.Label.AsDouble() - Friedman1(s.Features.Numeric.ToArray())).ToList();
        residuals.Average().Should().BeApproximately(0.0, 0.03, "ε has mean 0 (3 standard errors of 20,000 draws)");
        Math.Sqrt(residuals.Average(r => r * r)).Should().BeApproximately(1.0, 0.02, "ε has standard deviation 1");
        residuals.Count(r => Math.Abs(r) < 1.0).Should().BeCloseTo(13_654, 250, "68.27% of a standard normal lies within 1 sd");
    }

    [Fact]
    public void Next_WithoutNoise_IsTheFormulaOfFriedman1991()
    {
        // y = 10 sin(π x1 x2) + 20 (x3 − ½)² + 10 x4 + 5 x5, written out here independently of the stream.
        foreach (var sample in new FriedmanStream(seed: 2, noise: 0.0).Take(500))
        {
            var x = sample.Features.Numeric.ToArray();
            sample.Label.AsDouble().Should().BeApproximately(Friedman1(x), 1e-12);
        }
    }

    [Fact]
    public void Next_GlobalRecurringAbrupt_SwapsRelevantAndIrrelevantFeaturesThenReturns()
    {
        var stream = new FriedmanStream(seed: 3, FriedmanDrift.GlobalRecurringAbrupt, [1_000, 2_000], noise: 0.0);
        var samples = stream.Take(3_000).ToList();

        samples.Select(s => s.Concept).Distinct().Should().Equal(0, 1, 2);
        foreach (var sample in samples)
        {
            var x = sample.Features.Numeric.ToArray();
            var expected = sample.Concept == 1
                ? (10 * Math.Sin(Math.PI * x[3] * x[5])) + (20 * Math.Pow(x[1] - 0.5, 2)) + (10 * x[0]) + (5 * x[2])
                : Friedman1(x);
            sample.Label.AsDouble().Should().BeApproximately(expected, 1e-12, $"sample {sample.Index} is concept {sample.Concept}");
            sample.Concept.Should().Be(sample.Index < 1_000 ? 0 : sample.Index < 2_000 ? 1 : 2);
        }

        // In the drifted concept x5 is irrelevant and x6 relevant: the target does not move when x5 does.
        double[] point = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.15];
        double[] moved = [0.1, 0.2, 0.3, 0.4, 0.95, 0.6, 0.7, 0.8, 0.9, 0.15];
        FriedmanStream.Target(FriedmanDrift.GlobalRecurringAbrupt, 1, moved).Should().Be(FriedmanStream.Target(FriedmanDrift.GlobalRecurringAbrupt, 1, point));
        FriedmanStream.Target(FriedmanDrift.None, 0, moved).Should().NotBe(FriedmanStream.Target(FriedmanDrift.None, 0, point));
    }

    [Fact]
    public void Next_GlobalSlowGradual_MixesOldAndNewConceptsEquallyInTheTransitionWindow()
    {
        var stream = new FriedmanStream(seed: 4, FriedmanDrift.GlobalSlowGradual, [1_000, 7_000], transition: 4_000, noise: 0.0);
        var samples = stream.Take(12_000).ToList();

        samples.Take(1_000).Should().OnlyContain(s => s.Concept == 0);
        samples.Skip(1_000).Take(4_000).Count(s => s.Concept == 0).Should().BeCloseTo(2_000, 130, "half of the window follows the old concept (4 sd)");
        samples.Skip(5_000).Take(2_000).Should().OnlyContain(s => s.Concept == 1);
        samples.Skip(7_000).Take(4_000).Count(s => s.Concept == 1).Should().BeCloseTo(2_000, 130);
        samples.Skip(11_000).Should().OnlyContain(s => s.Concept == 2);
        foreach (var sample in samples)
        {
            var x = sample.Features.Numeric.ToArray();
            var expected = sample.Concept switch
            {
                1 => (10 * Math.Sin(Math.PI * x[3] * x[4])) + (20 * Math.Pow(x[1] - 0.5, 2)) + (10 * x[0]) + (5 * x[2]),
                2 => (10 * Math.Sin(Math.PI * x[1] * x[4])) + (20 * Math.Pow(x[3] - 0.5, 2)) + (10 * x[2]) + (5 * x[0]),
                _ => Friedman1(x),
            };
            sample.Label.AsDouble().Should().BeApproximately(expected, 1e-12);
        }
    }

    [Fact]
    public void Next_LocalExpandingAbrupt_ChangesTheTargetInRegionsThatGrowAtEachDriftPoint()
    {
        const int PerStage = 40_000;
        var stream = new FriedmanStream(seed: 5, FriedmanDrift.LocalExpandingAbrupt, [PerStage, 2 * PerStage, 3 * PerStage], noise: 0.0);
        var samples = stream.Take(4 * PerStage).ToList();

        // The share of samples whose target differs from Friedman #1 is the two regions' volume: 2·0.3⁴, 2·0.3³, 2·0.3².
        double[] volume = [0.0, 2 * 0.0081, 2 * 0.027, 2 * 0.09];
        for (var stage = 0; stage < 4; stage++)
        {
            var part = samples.Skip(stage * PerStage).Take(PerStage).ToList();
            part.Should().OnlyContain(s => s.Concept == stage);
            var changed = part.Count(s => Math.Abs(s.Label.AsDouble() - Friedman1(s.Features.Numeric.ToArray())) > 1e-12) / (double)PerStage;
            var sd = Math.Sqrt(volume[stage] * (1 - volume[stage]) / PerStage);
            changed.Should().BeApproximately(volume[stage], (4 * sd) + 1e-9, $"stage {stage} changes the regions' share of the space");
        }

        // In R1 (stage 1: x2 < .3, x3 < .3, x4 > .7, x5 < .3) the target is 10 x1 x2 + 20 (x3 − ½) + 10 x4 + 5 x5.
        double[] r1 = [0.5, 0.1, 0.2, 0.8, 0.1, 0, 0, 0, 0, 0];
        FriedmanStream.Target(FriedmanDrift.LocalExpandingAbrupt, 1, r1).Should().BeApproximately((10 * 0.5 * 0.1) + (20 * (0.2 - 0.5)) + 8 + 0.5, 1e-12);

        // In R2 (x2 > .7, x3 > .7, x4 < .3, x5 > .7) it is 10 cos(x1 x2) + 20 (x3 − ½) + e^x4 + 5 x5².
        double[] r2 = [0.5, 0.9, 0.8, 0.2, 0.9, 0, 0, 0, 0, 0];
        FriedmanStream.Target(FriedmanDrift.LocalExpandingAbrupt, 1, r2).Should().BeApproximately((10 * Math.Cos(0.45)) + (20 * 0.3) + Math.Exp(0.2) + (5 * 0.81), 1e-12);

        // x5 = 0.5 is outside R2 in stage 1 but inside from stage 2, when the condition on x5 is dropped.
        double[] wider = [0.5, 0.9, 0.8, 0.2, 0.5, 0, 0, 0, 0, 0];
        FriedmanStream.Target(FriedmanDrift.LocalExpandingAbrupt, 1, wider).Should().BeApproximately(Friedman1(wider), 1e-12);
        FriedmanStream.Target(FriedmanDrift.LocalExpandingAbrupt, 2, wider).Should().BeApproximately((10 * Math.Cos(0.45)) + (20 * 0.3) + Math.Exp(0.2) + (5 * 0.25), 1e-12);
    }

    [Fact]
    public void Next_SameArguments_GivesTheSameStreamAndDriftsShareTheirFeatures()
    {
        var first = new FriedmanStream(seed: 6, FriedmanDrift.GlobalRecurringAbrupt, [100, 200]).Take(300).ToList();
        var again = new FriedmanStream(seed: 6, FriedmanDrift.GlobalRecurringAbrupt, [100, 200]).Take(300).ToList();
        var plain = new FriedmanStream(seed: 6).Take(300).ToList();

        first.Select(s => (s.Label, s.Index, s.Concept)).Should().Equal(again.Select(s => (s.Label, s.Index, s.Concept)));
        first.Select(s => s.Features.Numeric.ToArray()).Should().BeEquivalentTo(plain.Select(s => s.Features.Numeric.ToArray()), o => o.WithStrictOrdering());
        first.Take(100).Select(s => s.Label).Should().Equal(plain.Take(100).Select(s => s.Label), "before the drift both follow Friedman #1 with the same noise");
        new FriedmanStream(seed: 6).Task.Should().Be(ModelTask.Regression);
    }

    [Fact]
    public void Constructor_DriftPointsThatDoNotFitTheDrift_Throw()
    {
        FluentActions.Invoking(() => new FriedmanStream(1, FriedmanDrift.LocalExpandingAbrupt, [10, 20])).Should().Throw<ArgumentException>().WithMessage("*3 drift points*");
        FluentActions.Invoking(() => new FriedmanStream(1, FriedmanDrift.GlobalRecurringAbrupt, [10])).Should().Throw<ArgumentException>().WithMessage("*2 drift points*");
        FluentActions.Invoking(() => new FriedmanStream(1, FriedmanDrift.None, [10])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new FriedmanStream(1, FriedmanDrift.GlobalSlowGradual, [10, 20], transition: 11)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new FriedmanStream(1, noise: -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new FriedmanStream(1, (FriedmanDrift)9)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static double Friedman1(double[] x) =>
        (10 * Math.Sin(Math.PI * x[0] * x[1])) + (20 * Math.Pow(x[2] - 0.5, 2)) + (10 * x[3]) + (5 * x[4]);
}
