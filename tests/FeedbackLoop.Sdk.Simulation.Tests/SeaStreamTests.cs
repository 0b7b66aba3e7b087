using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class SeaStreamTests
{
    private static readonly int[] AllConcepts = [0, 1, 2, 3];
    private static readonly long[] ThreeDrifts = [100, 250, 400];

    [Fact]
    public void Thresholds_Always_AreThePublishedValues()
    {
        // Street & Kim (2001), KDD '01, section 4.1: "threshold values of 8, 9, 7, and 9.5".
        SeaStream.Thresholds.Should().Equal(8.0, 9.0, 7.0, 9.5);
    }

    [Fact]
    public void Schema_Always_HasThreeNumericFeaturesSharedByEverySample()
    {
        var stream = new SeaStream(1, [0], []);

        stream.Schema.Features.Select(f => f.Name).Should().Equal("x1", "x2", "x3");
        stream.Schema.NumericCount.Should().Be(3);
        stream.Take(10).Should().OnlyContain(s => ReferenceEquals(s.Features.Schema, stream.Schema));
    }

    [Fact]
    public void Next_SameSeed_GivesIdenticalStreams()
    {
        var first = new SeaStream(42, AllConcepts, ThreeDrifts).Take(2_000).ToList();
        var second = new SeaStream(42, AllConcepts, ThreeDrifts).Take(2_000).ToList();

        for (var i = 0; i < first.Count; i++)
        {
            first[i].Features.Numeric.SequenceEqual(second[i].Features.Numeric).Should().BeTrue($"sample {i} has the same features");
            (first[i].Label, first[i].Index, first[i].Concept).Should().Be((second[i].Label, second[i].Index, second[i].Concept));
        }
    }

    [Fact]
    public void Next_DifferentSeed_GivesDifferentFeaturesAndLabels()
    {
        var first = new SeaStream(42, [0], []).Take(1_000).ToList();
        var second = new SeaStream(43, [0], []).Take(1_000).ToList();

        first.Zip(second).Count(p => p.First.Features.Numeric[0] == p.Second.Features.Numeric[0]).Should().Be(0);
        first.Zip(second).Count(p => p.First.Label != p.Second.Label).Should().BeGreaterThan(100);
    }

    [Theory]
    [InlineData(0, 8.0)]
    [InlineData(1, 9.0)]
    [InlineData(2, 7.0)]
    [InlineData(3, 9.5)]
    public void Next_NoiseFree_LabelIsX1PlusX2AtMostTheta(int concept, double theta)
    {
        // Street & Kim (2001): class 1 when f1 + f2 <= θ; f3 is irrelevant.
        var stream = new SeaStream(7, [concept], [], noise: 0.0);

        var samples = stream.Take(5_000).ToList();

        stream.Threshold.Should().Be(theta);
        samples.Should().OnlyContain(s => s.Label == (s.Features.GetNumeric("x1") + s.Features.GetNumeric("x2") <= theta));
        samples.Should().Contain(s => s.Label.AsBoolean()).And.Contain(s => !s.Label.AsBoolean());
    }

    [Fact]
    public void Next_AtDriftPoints_SwitchesConceptAndLabelRuleExactly()
    {
        var stream = new SeaStream(3, AllConcepts, ThreeDrifts, noise: 0.0);

        foreach (var sample in stream.Take(500))
        {
            var expected = sample.Index < 100 ? 0 : sample.Index < 250 ? 1 : sample.Index < 400 ? 2 : 3;
            sample.Concept.Should().Be(expected, $"sample {sample.Index} follows drift points 100, 250, 400");
            stream.Threshold.Should().Be(SeaStream.Thresholds[expected]);
            var sum = sample.Features.Numeric[0] + sample.Features.Numeric[1];
            sample.Label.AsBoolean().Should().Be(sum <= SeaStream.Thresholds[expected], $"sample {sample.Index} is labelled by θ = {SeaStream.Thresholds[expected]}");
        }
    }

    [Fact]
    public void Next_DriftAtEverySample_UsesEachSamplesOwnConcept()
    {
        // θ alternates 7 / 9.5 at every index, so a concept switch one sample early or late mislabels every sample with
        // x1 + x2 in (7, 9.5], about a fifth of them.
        const int count = 2_000;
        var concepts = Enumerable.Range(0, count).Select(i => i % 2 == 0 ? 2 : 3).ToArray();
        var drifts = Enumerable.Range(1, count - 1).Select(i => (long)i).ToArray();
        var stream = new SeaStream(5, concepts, drifts, noise: 0.0);

        var samples = stream.Take(count).ToList();

        samples.Select(s => s.Concept).Should().Equal(Enumerable.Range(0, count));
        samples.Where(s => s.Label != (s.Features.Numeric[0] + s.Features.Numeric[1] <= (s.Index % 2 == 0 ? 7.0 : 9.5))).Should().BeEmpty();
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void Next_WithNoise_FlipsLabelsAtTheConfiguredRate(double noise)
    {
        // Features do not depend on the noise, so each noisy label is compared with the noise-free label of the same
        // input. Flips ~ Binomial(n, p); the bound is 4 standard deviations, 4·sqrt(n·p·(1-p)) (380 flips for p = 0.1,
        // 580 for p = 0.3), exceeded by chance with probability about 6e-5.
        const int n = 50_000;
        var noisy = new SeaStream(11, AllConcepts, ThreeDrifts, noise).Take(n).ToList();
        var clean = new SeaStream(11, AllConcepts, ThreeDrifts, noise: 0.0).Take(n).ToList();

        noisy.Zip(clean).Where(p => !p.First.Features.Numeric.SequenceEqual(p.Second.Features.Numeric)).Should().BeEmpty();
        var flips = noisy.Zip(clean).Count(p => p.First.Label != p.Second.Label);
        var bound = 4.0 * Math.Sqrt(n * noise * (1.0 - noise));
        flips.Should().BeCloseTo((int)(n * noise), (uint)bound);
    }

    [Fact]
    public void Next_Features_AreUniformOnZeroToTen()
    {
        // Mean of U(0, 10) is 5 with standard deviation 10/sqrt(12); the bound is 4 standard errors.
        const int n = 20_000;
        var samples = new SeaStream(13, [0], []).Take(n).ToList();
        var bound = 4.0 * (10.0 / Math.Sqrt(12.0)) / Math.Sqrt(n);

        for (var feature = 0; feature < 3; feature++)
        {
            var values = samples.Select(s => s.Features.Numeric[feature]).ToList();
            values.Should().OnlyContain(v => v >= 0.0 && v <= 10.0);
            values.Average().Should().BeApproximately(5.0, bound);
            values.Max().Should().BeGreaterThan(9.9);
            values.Min().Should().BeLessThan(0.1);
        }
    }

    [Fact]
    public void Next_Indexes_StartAtZeroAndIncreaseByOne()
    {
        new SeaStream(1, [0], []).Take(50).Select(s => s.Index).Should().Equal(Enumerable.Range(0, 50).Select(i => (long)i));
    }

    [Fact]
    public void Properties_AfterConstruction_AreCopiesOfTheArguments()
    {
        var concepts = new List<int> { 1, 0 };
        var drifts = new List<long> { 10 };
        var stream = new SeaStream(1, concepts, drifts, noise: 0.2);
        concepts[0] = 3;
        drifts[0] = 99;

        stream.Concepts.Should().Equal(1, 0);
        stream.DriftPoints.Should().Equal(10L);
        stream.Noise.Should().Be(0.2);
        stream.Threshold.Should().Be(9.0);
    }

    [Fact]
    public void Constructor_NullConcepts_Throws()
    {
        var act = () => new SeaStream(1, null!, []);

        act.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("concepts");
    }

    [Fact]
    public void Constructor_NullDriftPoints_Throws()
    {
        var act = () => new SeaStream(1, [0], null!);

        act.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("driftPoints");
    }

    [Theory]
    [InlineData(new[] { 0 }, new long[] { 10 })]
    [InlineData(new[] { 0, 1, 2 }, new long[] { 10 })]
    [InlineData(new int[0], new long[0])]
    public void Constructor_ConceptCountNotOneMoreThanDriftPoints_Throws(int[] concepts, long[] drifts)
    {
        var act = () => new SeaStream(1, concepts, drifts);

        act.Should().ThrowExactly<ArgumentException>()
            .WithMessage($"Expected {drifts.Length + 1} concepts*got {concepts.Length}*")
            .Which.ParamName.Should().Be("concepts");
    }

    [Theory]
    [InlineData(10L, 10L)]
    [InlineData(20L, 10L)]
    public void Constructor_DriftPointsNotStrictlyIncreasing_Throws(long first, long second)
    {
        var act = () => new SeaStream(1, [0, 1, 2], [first, second]);

        act.Should().ThrowExactly<ArgumentException>()
            .WithMessage("*strictly increasing*drift point 1*")
            .Which.ParamName.Should().Be("driftPoints");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void Constructor_DriftPointNotPositive_Throws(long point)
    {
        var act = () => new SeaStream(1, [0, 1], [point]);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>()
            .WithMessage($"Drift point 0 is {point}; drift points must be positive*")
            .Which.ParamName.Should().Be("driftPoints");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Constructor_UnknownConceptIndex_Throws(int concept)
    {
        var act = () => new SeaStream(1, [0, concept], [10]);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>()
            .WithMessage($"Concept 1 is {concept}; SEA concepts are indexes 0..3*")
            .Which.ParamName.Should().Be("concepts");
    }

    [Fact]
    public void Constructor_RepeatedConsecutiveConcept_Throws()
    {
        var act = () => new SeaStream(1, [2, 2], [10]);

        act.Should().ThrowExactly<ArgumentException>()
            .WithMessage("*consecutive concepts must differ*")
            .Which.ParamName.Should().Be("concepts");
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Constructor_NoiseOutsideRange_Throws(double noise)
    {
        var act = () => new SeaStream(1, [0], [], noise);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>()
            .WithMessage("*label noise*must be in [0, 0.5)*")
            .Which.ParamName.Should().Be("noise");
    }
}
