using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class RotatingHyperplaneStreamTests
{
    private static readonly long[] TwoDrifts = [300, 700];

    [Fact]
    public void Schema_Always_NamesFeaturesX1ToXd()
    {
        var stream = new RotatingHyperplaneStream(1, 12, []);

        stream.Schema.Features.Select(f => f.Name).Should().Equal(Enumerable.Range(1, 12).Select(i => $"x{i}"));
        stream.Schema.NumericCount.Should().Be(12);
        stream.Dimensions.Should().Be(12);
    }

    [Theory]
    [InlineData(10, 5)]
    [InlineData(11, 5)]
    [InlineData(2, 1)]
    public void ChangedDimensions_Default_IsHalfTheDimensionsRoundedDown(int dimensions, int expected)
    {
        new RotatingHyperplaneStream(1, dimensions, []).ChangedDimensions.Should().Be(expected);
    }

    [Fact]
    public void Next_SameSeed_GivesIdenticalStreams()
    {
        var first = new RotatingHyperplaneStream(42, 10, TwoDrifts);
        var second = new RotatingHyperplaneStream(42, 10, TwoDrifts);

        for (var i = 0; i < 1_000; i++)
        {
            var a = first.Next();
            var b = second.Next();
            a.Features.Numeric.SequenceEqual(b.Features.Numeric).Should().BeTrue($"sample {i} has the same features");
            (a.Label, a.Index, a.Concept).Should().Be((b.Label, b.Index, b.Concept));
            first.Weights.Should().Equal(second.Weights);
        }
    }

    [Fact]
    public void Next_DifferentSeed_GivesDifferentWeightsAndFeatures()
    {
        var first = new RotatingHyperplaneStream(42, 10, []);
        var second = new RotatingHyperplaneStream(43, 10, []);

        first.Weights.Should().NotEqual(second.Weights);
        first.Take(1_000).Zip(second.Take(1_000)).Count(p => p.First.Features.Numeric[0] == p.Second.Features.Numeric[0]).Should().Be(0);
    }

    [Fact]
    public void Weights_FirstConcept_AreUniformOnZeroToOneWithHalfTheirSumAsThreshold()
    {
        // Hulten, Spencer & Domingos (2001): weights uniform in [0, 1], threshold w0 = ½ Σ wᵢ.
        var weights = Enumerable.Range(0, 50).SelectMany(seed => new RotatingHyperplaneStream(seed, 10, []).Weights).ToList();
        var stream = new RotatingHyperplaneStream(3, 10, []);

        weights.Should().OnlyContain(w => w >= 0.0 && w <= 1.0);
        weights.Average().Should().BeApproximately(0.5, 4.0 * Math.Sqrt(1.0 / 12.0 / weights.Count));
        stream.Threshold.Should().Be(0.5 * stream.Weights.Sum());
    }

    [Fact]
    public void Next_NoiseFree_LabelIsWeightedSumAtLeastThreshold()
    {
        var stream = new RotatingHyperplaneStream(9, 10, TwoDrifts, noise: 0.0);

        foreach (var sample in stream.Take(1_000))
        {
            stream.Threshold.Should().Be(0.5 * Sum(stream.Weights));
            sample.Label.AsBoolean().Should().Be(Dot(stream.Weights, sample.Features.Numeric) >= stream.Threshold, $"sample {sample.Index} follows Σ wᵢxᵢ >= ½ Σ wᵢ");
        }
    }

    [Fact]
    public void Next_AtDriftPoints_SwitchesConceptExactly()
    {
        var stream = new RotatingHyperplaneStream(4, 10, TwoDrifts, noise: 0.0);
        var weightsByConcept = new List<double[]> { stream.Weights.ToArray() };

        foreach (var sample in stream.Take(1_000))
        {
            var expected = sample.Index < 300 ? 0 : sample.Index < 700 ? 1 : 2;
            sample.Concept.Should().Be(expected, $"sample {sample.Index} follows drift points 300, 700");
            if (sample.Concept == weightsByConcept.Count)
            {
                weightsByConcept.Add([.. stream.Weights]);
            }

            sample.Label.AsBoolean().Should().Be(Dot(weightsByConcept[expected], sample.Features.Numeric) >= 0.5 * Sum(weightsByConcept[expected]));
        }

        weightsByConcept.Should().HaveCount(3);
        weightsByConcept[1].Should().NotEqual(weightsByConcept[0]);
        weightsByConcept[2].Should().NotEqual(weightsByConcept[1]);
    }

    [Theory]
    [InlineData(10, null)]
    [InlineData(11, 3)]
    [InlineData(7, 7)]
    [InlineData(6, 1)]
    public void Weights_AtEachDrift_NegateOneDimensionPerMagnitudeBlock(int dimensions, int? changed)
    {
        var drifts = Enumerable.Range(1, 20).Select(i => (long)i).ToArray();
        var stream = new RotatingHyperplaneStream(21, dimensions, drifts, changed);
        var k = stream.ChangedDimensions;
        var previous = stream.Weights.ToArray();
        var byMagnitude = Enumerable.Range(0, dimensions).OrderByDescending(i => Math.Abs(previous[i])).ThenBy(i => i).ToArray();

        for (var drift = 0; drift < drifts.Length + 1; drift++)
        {
            stream.Next();
            var current = stream.Weights.ToArray();
            if (drift == 0)
            {
                current.Should().Equal(previous);
                continue;
            }

            current.Select(Math.Abs).Should().Equal(previous.Select(Math.Abs), "only signs change");
            var negated = Enumerable.Range(0, dimensions).Where(i => current[i] == -previous[i]).ToHashSet();
            negated.Should().HaveCount(k);
            for (var block = 0; block < k; block++)
            {
                var ranks = Enumerable.Range(block * dimensions / k, ((block + 1) * dimensions / k) - (block * dimensions / k));
                ranks.Count(r => negated.Contains(byMagnitude[r])).Should().Be(1, $"block {block} of drift {drift} contributes one dimension");
            }

            previous = current;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Next_DefaultDriftWithTenDimensions_ChangesAtLeastAFifthOfLabelsOnTheSameInputs(int seed)
    {
        // The labels of concept 1's inputs are compared with those the pre-drift concept gives the same inputs.
        // The documented rule keeps the negated half comparable in weight to the other half; 20% is well below the
        // 30% minimum seen over 300 simulated draws.
        var stream = new RotatingHyperplaneStream(seed, 10, [1], noise: 0.0);
        var before = stream.Next();
        var pre = stream.Weights.ToArray();
        before.Concept.Should().Be(0);

        var after = stream.Take(10_000).ToList();

        after.Should().OnlyContain(s => s.Concept == 1);
        var changed = after.Count(s => s.Label != (Dot(pre, s.Features.Numeric) >= 0.5 * Sum(pre))) / (double)after.Count;
        changed.Should().BeGreaterThan(0.2);
    }

    [Fact]
    public void Next_ManyDefaultDrifts_ChangeHalfOfTheLabelsOnAverage()
    {
        // For d even and k = d/2 a drift negates S or its complement with equal probability, so the expected share of
        // changed labels is exactly 1/2 (see the type's remarks). Per drift the share varies (sd about 0.04 over weight
        // draws, simulated with numpy, plus 0.022 binomial error at 500 samples); over 200 drifts the standard error is
        // about 0.0032, and the bound of 0.02 is about 6 standard errors.
        const int drifts = 200;
        const int perConcept = 500;
        var points = Enumerable.Range(1, drifts).Select(i => (long)i * perConcept).ToArray();
        var stream = new RotatingHyperplaneStream(17, 10, points, noise: 0.0);
        var changedShares = new List<double>();
        var current = stream.Weights.ToArray();
        var previous = current;
        var changed = 0;
        var concept = 0;

        foreach (var sample in stream.Take((drifts + 1) * perConcept))
        {
            if (sample.Concept != concept)
            {
                if (concept > 0)
                {
                    changedShares.Add(changed / (double)perConcept);
                }

                previous = current;
                current = [.. stream.Weights];
                concept = sample.Concept;
                changed = 0;
            }

            if (concept > 0 && sample.Label != (Dot(previous, sample.Features.Numeric) >= 0.5 * Sum(previous)))
            {
                changed++;
            }
        }

        changedShares.Add(changed / (double)perConcept);
        changedShares.Should().HaveCount(drifts);
        changedShares.Average().Should().BeApproximately(0.5, 0.02);
    }

    [Fact]
    public void Next_AfterDrift_PerfectPreDriftRuleLosesAccuracy()
    {
        const int perConcept = 20_000;
        var stream = new RotatingHyperplaneStream(8, 10, [perConcept]);
        var pre = stream.Weights.ToArray();
        var threshold = 0.5 * Sum(pre);

        var samples = stream.Take(2 * perConcept).ToList();

        double Accuracy(IEnumerable<LabelledSample> part) =>
            part.Count(s => s.Label == (Dot(pre, s.Features.Numeric) >= threshold)) / (double)perConcept;
        var before = Accuracy(samples.Where(s => s.Concept == 0));
        var after = Accuracy(samples.Where(s => s.Concept == 1));

        // Before the drift the true rule is wrong only on the 5% of flipped labels (4 sigma: ±0.0062 at n = 20,000).
        before.Should().BeApproximately(0.95, 4.0 * Math.Sqrt(0.05 * 0.95 / perConcept));
        after.Should().BeLessThan(before - 0.15);
    }

    [Fact]
    public void Next_AllDimensionsChanged_ComplementsEveryLabel()
    {
        var stream = new RotatingHyperplaneStream(2, 6, [1], changedDimensions: 6, noise: 0.0);
        stream.Next();
        var pre = stream.Weights.ToArray();

        var after = stream.Take(2_000).ToList();

        stream.Weights.Should().Equal(pre.Select(w => -w));
        after.Where(s => s.Label == (Dot(pre, s.Features.Numeric) >= 0.5 * Sum(pre))).Should().BeEmpty();
    }

    [Fact]
    public void Next_EveryConcept_LabelsHalfTheInputsPositive()
    {
        // The hyperplane passes through the centre of the cube, so P(label) = 1/2 for every concept; 4 sigma bound at
        // n = 20,000 is ±0.014.
        const int perConcept = 20_000;
        var stream = new RotatingHyperplaneStream(6, 10, [perConcept, 2 * perConcept], noise: 0.0);

        var samples = stream.Take(3 * perConcept).ToList();

        for (var concept = 0; concept < 3; concept++)
        {
            var positive = samples.Where(s => s.Concept == concept).Count(s => s.Label.AsBoolean()) / (double)perConcept;
            positive.Should().BeApproximately(0.5, 4.0 * Math.Sqrt(0.25 / perConcept), $"concept {concept} is balanced");
        }
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.2)]
    public void Next_WithNoise_FlipsLabelsAtTheConfiguredRate(double noise)
    {
        // Flips ~ Binomial(n, p) against the noise-free stream with the same seed (same features and concepts); the
        // bound is 4·sqrt(n·p·(1-p)): 195 flips for p = 0.05 and 358 for p = 0.2 at n = 50,000.
        const int n = 50_000;
        var noisy = new RotatingHyperplaneStream(12, 5, [20_000], noise: noise).Take(n).ToList();
        var clean = new RotatingHyperplaneStream(12, 5, [20_000], noise: 0.0).Take(n).ToList();

        noisy.Zip(clean).Where(p => !p.First.Features.Numeric.SequenceEqual(p.Second.Features.Numeric)).Should().BeEmpty();
        var flips = noisy.Zip(clean).Count(p => p.First.Label != p.Second.Label);
        flips.Should().BeCloseTo((int)(n * noise), (uint)(4.0 * Math.Sqrt(n * noise * (1.0 - noise))));
    }

    [Fact]
    public void Next_Features_AreUniformOnZeroToOne()
    {
        // Mean of U(0, 1) is 1/2 with standard deviation 1/sqrt(12); the bound is 4 standard errors.
        const int n = 20_000;
        var samples = new RotatingHyperplaneStream(14, 4, [5_000]).Take(n).ToList();

        for (var feature = 0; feature < 4; feature++)
        {
            var values = samples.Select(s => s.Features.Numeric[feature]).ToList();
            values.Should().OnlyContain(v => v >= 0.0 && v <= 1.0);
            values.Average().Should().BeApproximately(0.5, 4.0 / Math.Sqrt(12.0 * n));
        }
    }

    [Fact]
    public void Constructor_NullDriftPoints_Throws()
    {
        var act = () => new RotatingHyperplaneStream(1, 10, null!);

        act.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("driftPoints");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_FewerThanTwoDimensions_Throws(int dimensions)
    {
        var act = () => new RotatingHyperplaneStream(1, dimensions, []);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>()
            .WithMessage($"*at least 2 dimensions; got {dimensions}*")
            .Which.ParamName.Should().Be("dimensions");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(11)]
    public void Constructor_ChangedDimensionsOutOfRange_Throws(int changed)
    {
        var act = () => new RotatingHyperplaneStream(1, 10, [], changed);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>()
            .WithMessage($"The number of changed dimensions must be in 1..10*got {changed}*")
            .Which.ParamName.Should().Be("changedDimensions");
    }

    [Theory]
    [InlineData(10L, 10L)]
    [InlineData(20L, 10L)]
    public void Constructor_DriftPointsNotStrictlyIncreasing_Throws(long first, long second)
    {
        var act = () => new RotatingHyperplaneStream(1, 10, [first, second]);

        act.Should().ThrowExactly<ArgumentException>()
            .WithMessage("*strictly increasing*drift point 1*")
            .Which.ParamName.Should().Be("driftPoints");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void Constructor_DriftPointNotPositive_Throws(long point)
    {
        var act = () => new RotatingHyperplaneStream(1, 10, [5, point]);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>()
            .WithMessage($"Drift point 1 is {point}; drift points must be positive*")
            .Which.ParamName.Should().Be("driftPoints");
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_NoiseOutsideRange_Throws(double noise)
    {
        var act = () => new RotatingHyperplaneStream(1, 10, [], noise: noise);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>()
            .WithMessage("*label noise*must be in [0, 0.5)*")
            .Which.ParamName.Should().Be("noise");
    }

    private static double Dot(IReadOnlyList<double> weights, ReadOnlySpan<double> x)
    {
        var dot = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            dot += weights[i] * x[i];
        }

        return dot;
    }

    private static double Sum(IReadOnlyList<double> weights)
    {
        var sum = 0.0;
        foreach (var w in weights)
        {
            sum += w;
        }

        return sum;
    }

    [Fact]
    public void Next_Transition_MovesTheWeightsLinearlyFromTheOldConceptToTheNew()
    {
        var stream = new RotatingHyperplaneStream(seed: 9, dimensions: 6, driftPoints: [500], noise: 0, transition: 1_000);
        var samples = stream.Take(2_000).ToList();
        var before = new RotatingHyperplaneStream(seed: 9, dimensions: 6, driftPoints: [500], noise: 0);
        before.Next();
        double[] from = [.. before.Weights];
        double[] to = [.. stream.Weights];

        var intermediate = 0;
        foreach (var sample in samples)
        {
            var alpha = Math.Clamp((sample.Index - 500 + 1) / 1_000.0, 0, 1);
            double[] w = [.. from.Zip(to, (a, b) => ((1 - alpha) * a) + (alpha * b))];
            var x = sample.Features.Numeric.ToArray();
            sample.Label.AsBoolean().Should().Be(w.Zip(x, (a, b) => a * b).Sum() >= 0.5 * w.Sum(), $"sample {sample.Index} follows the hyperplane {alpha:0.###} of the way");
            intermediate += sample.Label != Rule(from, x) && sample.Label != Rule(to, x) ? 1 : 0;
        }

        samples.Where(s => s.Index < 500).Should().OnlyContain(s => s.Concept == 0);
        samples.Where(s => s.Index >= 500).Should().OnlyContain(s => s.Concept == 1);
        intermediate.Should().Be(0, "a label of the interpolated hyperplane always agrees with one of the two ends (the sum of two half-spaces)");
        samples.Skip(500).Take(1_000).Count(s => s.Label != Rule(to, s.Features.Numeric.ToArray()))
            .Should().BeGreaterThan(50, "during the transition some labels still follow the old concept");
    }

    [Fact]
    public void Constructor_TransitionOfOne_IsTheAbruptStreamAndZeroThrows()
    {
        var abrupt = new RotatingHyperplaneStream(seed: 4, dimensions: 5, driftPoints: [100]).Take(300).Select(s => s.Label).ToList();
        var one = new RotatingHyperplaneStream(seed: 4, dimensions: 5, driftPoints: [100], transition: 1).Take(300).Select(s => s.Label).ToList();

        one.Should().Equal(abrupt);
        FluentActions.Invoking(() => new RotatingHyperplaneStream(seed: 4, dimensions: 5, driftPoints: [100], transition: 0))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    private static bool Rule(double[] weights, double[] x) => weights.Zip(x, (a, b) => a * b).Sum() >= 0.5 * weights.Sum();
}
