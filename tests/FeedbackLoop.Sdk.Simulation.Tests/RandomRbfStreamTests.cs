using FeedbackLoop.Models;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class RandomRbfStreamTests
{
    [Fact]
    public void Task_Defaults_AreThreeClassesTenFeaturesFiftyCentroids()
    {
        var stream = new RandomRbfStream(seed: 1);

        stream.Task.Should().Be(ModelTask.Multiclass("class1", "class2", "class3"));
        stream.Schema.Features.Select(f => f.Name).Should().Equal(Enumerable.Range(1, 10).Select(i => $"x{i}"));
        stream.Centroids.Should().HaveCount(50);
        stream.DriftPoints.Should().BeEmpty();
        stream.Take(1_000).Should().OnlyContain(s => stream.Classes.Contains(s.Label.AsCategory()) && s.Concept == 0);
    }

    [Fact]
    public void Constructor_Centroids_AreDrawnAsDefined()
    {
        var centroids = new RandomRbfStream(seed: 2, classes: 4, centroids: 2_000).Centroids;

        centroids.SelectMany(c => c.Centre).Should().OnlyContain(x => x >= 0 && x < 1);
        centroids.SelectMany(c => c.Centre).Average().Should().BeApproximately(0.5, 0.005, "centres are uniform in [0, 1]^d");
        centroids.Select(c => c.Deviation).Average().Should().BeApproximately(0.5, 0.03, "σ is uniform in [0, 1)");
        centroids.GroupBy(c => c.Class).Select(g => g.Count()).Should().OnlyContain(n => n > 400 && n < 600, "classes are uniform over 4");
        var weights = centroids.Select((c, i) => c.CumulativeWeight - (i == 0 ? 0 : centroids[i - 1].CumulativeWeight)).ToList();
        weights.Should().OnlyContain(w => w >= 0 && w < 1);
        weights.Average().Should().BeApproximately(0.5, 0.03, "weights are uniform in [0, 1)");
    }

    [Fact]
    public void Next_OneCentroid_SpreadsAGaussianHypersphereAroundIt()
    {
        var stream = new RandomRbfStream(seed: 3, centroids: 1);
        var (centre, @class, sigma, _) = stream.Centroids[0];
        var samples = stream.Take(20_000).ToList();

        samples.Should().OnlyContain(s => s.Label == Label.Categorical(stream.Classes[@class]));
        var offsets = samples.Select(s => s.Features.Numeric.ToArray().Zip(centre, (x, c) => x - c).ToArray()).ToList();
        var radii = offsets.Select(o => Math.Sqrt(o.Sum(v => v * v)) / sigma).ToList();
        radii.Average(r => r * r).Should().BeApproximately(1.0, 0.04, "the length is N(0, σ²): E[ℓ²] = σ²");
        radii.Count(r => r < 1.0).Should().BeCloseTo(13_654, 270, "68.27% of |N(0, 1)| lies below 1");
        for (var i = 0; i < centre.Length; i++)
        {
            offsets.Average(o => o[i]).Should().BeApproximately(0.0, 0.02 * sigma, $"the direction is symmetric in x{i + 1}");
        }
    }

    [Fact]
    public void Next_ManyCentroids_PicksEachInProportionToItsWeight()
    {
        // One class per centroid (almost surely distinct among 1,000 classes), so a label names its centroid.
        var stream = new RandomRbfStream(seed: 4, classes: 1_000, centroids: 5);
        var centroids = stream.Centroids;
        centroids.Select(c => c.Class).Should().OnlyHaveUniqueItems();
        var total = centroids[^1].CumulativeWeight;
        var counts = stream.Take(50_000).GroupBy(s => s.Label.AsCategory()).ToDictionary(g => g.Key, g => g.Count());

        for (var i = 0; i < centroids.Count; i++)
        {
            var p = (centroids[i].CumulativeWeight - (i == 0 ? 0 : centroids[i - 1].CumulativeWeight)) / total;
            var observed = counts.GetValueOrDefault(stream.Classes[centroids[i].Class]) / 50_000.0;
            observed.Should().BeApproximately(p, 4 * Math.Sqrt(p * (1 - p) / 50_000) + 1e-9, $"centroid {i} has weight share {p:0.###}");
        }
    }

    [Fact]
    public void Next_Drift_MovesTheDriftingCentroidsAtTheSpeedFromTheDriftPointOn()
    {
        var stream = new RandomRbfStream(seed: 5, centroids: 10, speed: 1e-4, driftStart: 100, driftingCentroids: 4);
        var before = stream.Centroids;
        var first = stream.Take(100).ToList();
        stream.Centroids.Select(c => c.Centre).Should().BeEquivalentTo(before.Select(c => c.Centre), o => o.WithStrictOrdering(), "nothing moves before the drift point");
        var after = stream.Take(200).ToList();
        var moved = stream.Centroids;

        stream.DriftPoints.Should().Equal(100L);
        first.Should().OnlyContain(s => s.Concept == 0);
        after.Should().OnlyContain(s => s.Concept == 1);
        for (var c = 0; c < 10; c++)
        {
            var distance = Math.Sqrt(before[c].Centre.Zip(moved[c].Centre, (a, b) => (a - b) * (a - b)).Sum());
            var bounced = before[c].Centre.Any(x => x > 1 - 0.02 || x < 0.02);
            if (c >= 4)
            {
                distance.Should().Be(0, $"centroid {c} does not drift");
            }
            else if (!bounced)
            {
                distance.Should().BeApproximately(200 * 1e-4, 1e-12, $"centroid {c} moved 200 steps of 1e-4 along a unit direction");
                moved[c].Centre.Zip(before[c].Centre, (b, a) => b - a).Should().OnlyContain(d => d >= 0, "directions have components in [0, 1)");
            }
        }
    }

    [Fact]
    public void Next_FastDrift_KeepsCentresInTheUnitCubeByBouncing()
    {
        var stream = new RandomRbfStream(seed: 6, speed: 0.3, driftStart: 1);
        foreach (var _ in stream.Take(2_000))
        {
            stream.Centroids.SelectMany(c => c.Centre).Should().OnlyContain(x => x >= 0 && x <= 1);
        }
    }

    [Fact]
    public void Next_SameArguments_GivesTheSameStream()
    {
        var first = new RandomRbfStream(seed: 7, speed: 1e-3, driftStart: 50).Take(200).ToList();
        var again = new RandomRbfStream(seed: 7, speed: 1e-3, driftStart: 50).Take(200).ToList();

        first.Select(s => (s.Label, s.Index, s.Concept)).Should().Equal(again.Select(s => (s.Label, s.Index, s.Concept)));
        first.Select(s => s.Features.Numeric.ToArray()).Should().BeEquivalentTo(again.Select(s => s.Features.Numeric.ToArray()), o => o.WithStrictOrdering());
        new RandomRbfStream(seed: 7).Centroids.Select(c => c.Centre).Should().BeEquivalentTo(
            new RandomRbfStream(seed: 7, speed: 1e-3, driftStart: 50).Centroids.Select(c => c.Centre), o => o.WithStrictOrdering(), "the speed does not change the centroids");
    }

    [Fact]
    public void ConceptDriftStream_TwoSeeds_IsAnAbruptChangeOfCentroidsAndRefusesAnotherTask()
    {
        var abrupt = new ConceptDriftStream(new RandomRbfStream(seed: 8), new RandomRbfStream(seed: 9), position: 500, width: 1, seed: 8);
        abrupt.Task.Should().Be(new RandomRbfStream(seed: 8).Task);
        abrupt.Take(1_000).Select(s => s.Concept).Should().Equal(Enumerable.Repeat(0, 500).Concat(Enumerable.Repeat(1, 500)));

        // Friedman #1 and the default RBF share their features (x1..x10) but not their task.
        FluentActions.Invoking(() => new ConceptDriftStream(new RandomRbfStream(seed: 8), new FriedmanStream(seed: 8), 500, 1, 8))
            .Should().Throw<ArgumentException>().WithMessage("*same task*");
        FluentActions.Invoking(() => new ConceptDriftStream(new RandomRbfStream(seed: 8), new RandomRbfStream(seed: 9, classes: 4), 500, 1, 8))
            .Should().Throw<ArgumentException>().WithMessage("*same task*");
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        FluentActions.Invoking(() => new RandomRbfStream(1, classes: 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new RandomRbfStream(1, features: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new RandomRbfStream(1, centroids: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new RandomRbfStream(1, speed: -1, driftStart: 5)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new RandomRbfStream(1, speed: 0.1)).Should().Throw<ArgumentException>().WithMessage("*drift start*");
        FluentActions.Invoking(() => new RandomRbfStream(1, driftStart: 5)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new RandomRbfStream(1, speed: 0.1, driftStart: 5, driftingCentroids: 51)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
