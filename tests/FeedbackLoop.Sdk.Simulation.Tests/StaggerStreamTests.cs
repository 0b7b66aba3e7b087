using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class StaggerStreamTests
{
    private static readonly string[] Sizes = ["small", "medium", "large"];
    private static readonly string[] Colors = ["red", "green", "blue"];
    private static readonly string[] Shapes = ["square", "circular", "triangular"];

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 15)]
    [InlineData(2, 18)]
    public void Label_OverAllTwentySevenObjects_MatchesThePublishedConcepts(int concept, int positives)
    {
        // Schlimmer & Granger (1986): size = small ∧ color = red; color = green ∨ shape = circular; size = medium ∨ size = large.
        var objects = from size in Sizes from color in Colors from shape in Shapes select (size, color, shape);

        objects.Count(o => StaggerStream.Label(concept, o.size, o.color, o.shape)).Should().Be(positives);
        StaggerStream.Label(0, "small", "red", "triangular").Should().BeTrue();
        StaggerStream.Label(1, "large", "blue", "circular").Should().BeTrue();
        StaggerStream.Label(2, "small", "green", "circular").Should().BeFalse();
    }

    [Fact]
    public void Next_RecurringConcepts_LabelEachSpanByItsConceptWithUniformFeatures()
    {
        var stream = new StaggerStream(7, [0, 2, 0], [1_000, 2_000]);

        var samples = stream.Take(3_000).ToList();

        samples.Select(s => s.Concept).Distinct().Should().Equal(0, 1, 2);
        samples.Where(s => s.Index is 999 or 1_000 or 2_000).Select(s => s.Concept).Should().Equal(0, 1, 2);
        samples.Should().OnlyContain(s => s.Label == StaggerStream.Label(
            stream.Concepts[s.Concept], s.Features.GetCategorical("size")!, s.Features.GetCategorical("color")!, s.Features.GetCategorical("shape")!));
        samples.Take(1_000).Count(s => s.Label.AsBoolean()).Should().BeInRange(70, 155, "1/9 of objects are small and red");
        samples.Skip(1_000).Take(1_000).Count(s => s.Label.AsBoolean()).Should().BeInRange(610, 720, "2/3 are medium or large");
        samples.GroupBy(s => s.Features.GetCategorical("shape")).Select(g => g.Count()).Should().OnlyContain(n => n > 900);
    }

    [Fact]
    public void Next_SameSeed_IdenticalStreamsAndNoiseFlipsItsShare()
    {
        var clean = new StaggerStream(3, [1], []).Take(20_000).ToList();
        var again = new StaggerStream(3, [1], []).Take(20_000).ToList();
        var noisy = new StaggerStream(3, [1], [], noise: 0.1).Take(20_000).ToList();

        again.Select(s => (s.Label, s.Features.GetCategorical("size"))).Should().Equal(clean.Select(s => (s.Label, s.Features.GetCategorical("size"))));
        noisy.Count(s => s.Label != StaggerStream.Label(1, s.Features.GetCategorical("size")!, s.Features.GetCategorical("color")!, s.Features.GetCategorical("shape")!))
            .Should().BeInRange(1_800, 2_200);
    }

    [Theory]
    [InlineData(new[] { 0, 3 }, new long[] { 10 }, "*STAGGER concepts are indexes 0..2*")]
    [InlineData(new[] { 1, 1 }, new long[] { 10 }, "*both 1*")]
    [InlineData(new[] { 0, 1 }, new long[0], "*Expected 1 concepts*")]
    [InlineData(new[] { 0, 1, 2 }, new long[] { 10, 10 }, "*strictly increasing*")]
    public void Constructor_BadConceptsOrDriftPoints_Throw(int[] concepts, long[] driftPoints, string message) =>
        FluentActions.Invoking(() => new StaggerStream(1, concepts, driftPoints)).Should().Throw<ArgumentException>().WithMessage(message);

    [Fact]
    public void Constructor_NoiseOfOneHalf_Throws() =>
        FluentActions.Invoking(() => new StaggerStream(1, [0], [], noise: 0.5)).Should().Throw<ArgumentOutOfRangeException>();
}
