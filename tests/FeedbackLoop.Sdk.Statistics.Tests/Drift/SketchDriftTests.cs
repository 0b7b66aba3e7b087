using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// The sketch-based tests against the exact tests on the same 1,000,000 vs 1,000,000 samples.
public sealed class SketchDriftTests
{
    private static readonly Lazy<(double[] Reference, double[] Current, KllSketch R, KllSketch C)> Data = new(() =>
    {
        double[] reference = TwoSampleReference.Generate(1, 1_000_000, 10, 0);
        double[] current = TwoSampleReference.Generate(2, 1_000_000, 10, 0.5);
        return (reference, current, Sketch(reference), Sketch(current));
    });

    [Fact]
    public void KolmogorovSmirnov_OnSketches_IsWithinTheSumOfTheRankErrors()
    {
        var (reference, current, r, c) = Data.Value;
        double exact = new KolmogorovSmirnovTest().Test(reference, current).Statistic;

        TwoSampleResult result = SketchDrift.KolmogorovSmirnov(r, c);

        double bound = 2 * KllSketch.NormalizedRankError(KllSketch.DefaultK, allQueries: true);
        Math.Abs(result.Statistic - exact).Should().BeLessThanOrEqualTo(bound);
        result.IsDrift.Should().BeTrue();
        result.ReferenceCount.Should().Be(1_000_000);
    }

    [Fact]
    public void Wasserstein_OnSketches_IsWithinTwoPercentOfTheExactDistance()
    {
        var (reference, current, r, c) = Data.Value;
        double exact = new WassersteinDistance(normed: false).Test(reference, current).Statistic;

        double sketched = SketchDrift.Wasserstein(r, c, threshold: 0.1).Statistic;

        Math.Abs(sketched - exact).Should().BeLessThanOrEqualTo(0.02 * exact);
    }

    [Fact]
    public void PopulationStability_OnSketches_IsRoughAtDefaultKAndCloseAtLargeK()
    {
        var (reference, current, r, c) = Data.Value;
        double exact = new PopulationStabilityIndex().Test(reference, current).Statistic;

        double sketched = SketchDrift.PopulationStability(r, c).Statistic;
        double fine = SketchDrift.PopulationStability(Sketch(reference, k: 2_000), Sketch(current, k: 2_000)).Statistic;

        Math.Abs(sketched - exact).Should().BeLessThanOrEqualTo(0.3 * exact);
        Math.Abs(fine - exact).Should().BeLessThanOrEqualTo(0.05 * exact);
    }

    [Fact]
    public void Tests_OnSketchesOfOneDistribution_FindNoDrift()
    {
        KllSketch r = Sketch(TwoSampleReference.Generate(3, 200_000, 10, 0));
        KllSketch c = Sketch(TwoSampleReference.Generate(4, 200_000, 10, 0));

        SketchDrift.KolmogorovSmirnov(r, c).IsDrift.Should().BeFalse();
        SketchDrift.Wasserstein(r, c, threshold: 0.1).IsDrift.Should().BeFalse();
        SketchDrift.PopulationStability(r, c).IsDrift.Should().BeFalse();
    }

    [Fact]
    public void Tests_OnASketchWithOneValue_AreInsufficient()
    {
        var one = new KllSketch();
        one.Add(1);
        KllSketch many = Sketch([1, 2, 3]);

        var result = SketchDrift.KolmogorovSmirnov(many, one);

        result.Outcome.Should().Be(TwoSampleOutcome.InsufficientData);
        result.Reason.Should().Be("the current sketch has 1 values; at least 2 are needed");
        SketchDrift.Wasserstein(one, many, 1).Outcome.Should().Be(TwoSampleOutcome.InsufficientData);
        SketchDrift.PopulationStability(new KllSketch(), many).Outcome.Should().Be(TwoSampleOutcome.InsufficientData);
    }

    [Fact]
    public void Tests_InvalidParameters_Throw()
    {
        KllSketch s = Sketch([1, 2, 3]);

        ((Action)(() => SketchDrift.KolmogorovSmirnov(s, s, alpha: 1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("alpha");
        ((Action)(() => SketchDrift.Wasserstein(s, s, threshold: 0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("threshold");
        ((Action)(() => SketchDrift.PopulationStability(s, s, bins: 1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("count");
        ((Action)(() => SketchDrift.PopulationStability(s, s, epsilon: 0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("epsilon");
        ((Action)(() => SketchDrift.KolmogorovSmirnov(null!, s))).Should().Throw<ArgumentNullException>();
    }

    private static KllSketch Sketch(double[] values, int k = KllSketch.DefaultK)
    {
        var sketch = new KllSketch(k, seed: 1);
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }
}
