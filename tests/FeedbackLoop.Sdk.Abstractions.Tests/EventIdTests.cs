namespace FeedbackLoop.Tests;

public class EventIdTests
{
    [Fact]
    public void New_GivesUniqueVersion4Guids()
    {
        var ids = Enumerable.Range(0, 20_000).Select(_ => PredictionId.New().Value).Concat(Enumerable.Range(0, 20_000).Select(_ => FeedbackId.New().Value)).ToList();

        ids.Should().OnlyHaveUniqueItems();
        ids.Should().OnlyContain(g => g.Version == 4 && (g.Variant & 0b1100) == 0b1000, "RFC 9562 version 4, variant 10");
    }

    [Fact]
    public void FromKey_IsStableAndDistinguishesKeys()
    {
        FeedbackId.FromKey("message-17").Should().Be(FeedbackId.FromKey("message-17"));
        FeedbackId.FromKey("message-17").Should().NotBe(FeedbackId.FromKey("message-18"));
        PredictionId.FromKey("request-1").Value.Should().Be(FeedbackId.FromKey("request-1").Value);
        FluentActions.Invoking(() => PredictionId.FromKey("")).Should().Throw<ArgumentException>();
    }
}
