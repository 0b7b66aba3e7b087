using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class DriftingStreamExtensionsTests
{
    [Fact]
    public void Take_Count_DrawsThatManyConsecutiveSamplesLazily()
    {
        var stream = new SeaStream(1, [0], []);

        var lazy = stream.Take(5);
        var afterwards = stream.Next();

        afterwards.Index.Should().Be(0, "nothing is drawn until the sequence is enumerated");
        lazy.Select(s => s.Index).Should().Equal(1L, 2L, 3L, 4L, 5L);
        stream.Take(0).Should().BeEmpty();
    }

    [Fact]
    public void Take_NegativeCount_ThrowsEagerly()
    {
        var act = () => new SeaStream(1, [0], []).Take(-1);

        act.Should().ThrowExactly<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("count");
    }

    [Fact]
    public void Take_NullStream_Throws()
    {
        var act = () => DriftingStreamExtensions.Take(null!, 1);

        act.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("stream");
    }
}
