using System.Text.Json;
using FeedbackLoop.Inference;

namespace FeedbackLoop.Tests.Inference;

/// <summary><see cref="McNemarTest"/> against Reference/mcnemar.json, written by Reference/make_mcnemar.py with scipy 1.10.1 (<c>binomtest</c>).</summary>
public sealed class McNemarTestTests
{
    private static readonly Lazy<(int B, int C, double Greater, double TwoSided)[]> Cases = new(() =>
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Reference", "mcnemar.json")));
        return [.. json.RootElement.GetProperty("cases").EnumerateArray().Select(c =>
            (c.GetProperty("b").GetInt32(), c.GetProperty("c").GetInt32(), c.GetProperty("greater").GetDouble(), c.GetProperty("two_sided").GetDouble()))];
    });

    public static TheoryData<int, int> Counts()
    {
        var counts = new TheoryData<int, int>();
        foreach (var c in Cases.Value)
        {
            counts.Add(c.B, c.C);
        }

        return counts;
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void ExactPValues_MatchScipyBinomtest(int b, int c)
    {
        var expected = Cases.Value.Single(e => e.B == b && e.C == c);

        McNemarTest.ExactPValueGreater(b, c).Should().BeApproximately(expected.Greater, 1e-12 * Math.Max(1e-300, expected.Greater) + 1e-15);
        McNemarTest.ExactPValue(b, c).Should().BeApproximately(expected.TwoSided, 1e-12 * expected.TwoSided + 1e-15);
    }

    [Fact]
    public void NoDiscordantCase_IsNoEvidence()
    {
        McNemarTest.ExactPValueGreater(0, 0).Should().Be(1.0);
        McNemarTest.ExactPValue(0, 0).Should().Be(1.0);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    public void NegativeCount_Throws(int b, int c)
    {
        FluentActions.Invoking(() => McNemarTest.ExactPValueGreater(b, c)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => McNemarTest.ExactPValue(b, c)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
