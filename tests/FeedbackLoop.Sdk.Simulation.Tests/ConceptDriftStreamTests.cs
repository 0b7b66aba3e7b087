using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class ConceptDriftStreamTests
{
    [Fact]
    public void Next_AroundThePosition_MixesConceptsAlongTheSigmoid()
    {
        // Bifet et al. (2009): P(new concept at t) = 1 / (1 + exp(-4 (t - p) / w)); with p = 5,000 and w = 1,000 that is
        // 0.018 at p - w, 0.5 at p and 0.982 at p + w.
        var stream = new ConceptDriftStream(Sea(1, 0), Sea(2, 3), position: 5_000, width: 1_000, seed: 9);
        int[] concepts = stream.Take(10_000).Select(s => s.Concept).ToArray();

        concepts[..3_000].Should().OnlyContain(c => c == 0, "P(new) is below 3e-4 two widths before the position");
        concepts[7_000..].Should().OnlyContain(c => c == 1);
        concepts[4_900..5_100].Average().Should().BeApproximately(0.5, 0.1);
        concepts[3_950..4_050].Average().Should().BeApproximately(0.018, 0.03);
        concepts[5_950..6_050].Average().Should().BeApproximately(0.982, 0.03);
    }

    [Fact]
    public void Next_SamplesOfTheNewStream_UseTheFirstStreamsSchemaAndOwnIndexes()
    {
        var from = Sea(1, 0);
        var stream = new ConceptDriftStream(from, Sea(2, 3), position: 1, width: 1, seed: 9);

        var samples = stream.Take(20).ToArray();

        samples.Should().OnlyContain(s => ReferenceEquals(s.Features.Schema, from.Schema));
        samples.Select(s => s.Index).Should().Equal(Enumerable.Range(0, 20).Select(i => (long)i));
        stream.DriftPoints.Should().Equal(1L);
    }

    [Fact]
    public void Next_SameArguments_GivesTheSameStream()
    {
        static double[] Draw() =>
            new ConceptDriftStream(Sea(1, 0), Sea(2, 3), 500, 200, seed: 4).Take(1_000).Select(s => s.Features.Numeric[0] + s.Concept).ToArray();

        Draw().Should().Equal(Draw());
    }

    [Fact]
    public void Constructor_DifferentFeatures_Throws()
    {
        Action act = () => _ = new ConceptDriftStream(Sea(1, 0), new RotatingHyperplaneStream(1, 4, []), 10, 10, 1);
        act.Should().Throw<ArgumentException>().WithMessage("*same features*");
    }

    [Theory]
    [InlineData(0, 10, "position")]
    [InlineData(10, 0, "width")]
    public void Constructor_PositionOrWidthOutOfRange_Throws(long position, long width, string parameter)
    {
        Action act = () => _ = new ConceptDriftStream(Sea(1, 0), Sea(2, 3), position, width, 1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }

    [Fact]
    public void Constructor_NullStream_Throws()
    {
        Action act = () => _ = new ConceptDriftStream(null!, Sea(2, 3), 10, 10, 1);
        act.Should().Throw<ArgumentNullException>().WithParameterName("from");
    }

    private static SeaStream Sea(int seed, int concept) => new(seed, [concept], []);
}
