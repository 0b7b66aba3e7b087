using FeedbackLoop.Evaluation;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Evaluation;

public sealed class ScoreSortTests
{
    [Fact]
    public void ToKey_OrderedScores_GiveAscendingKeys()
    {
        double[] ordered =
        [
            double.MinValue, -1e300, -2.5, -1.0, -double.Epsilon, 0.0, double.Epsilon, 1e-300, 0.5, 1.0, 3.0, double.MaxValue,
        ];

        for (int i = 1; i < ordered.Length; i++)
        {
            ScoreSort.ToKey(ordered[i]).Should().BeGreaterThan(ScoreSort.ToKey(ordered[i - 1]), "{0} > {1}", ordered[i], ordered[i - 1]);
        }
    }

    [Fact]
    public void ToKey_NegativeAndPositiveZero_ShareAKey()
    {
        ScoreSort.ToKey(-0.0).Should().Be(ScoreSort.ToKey(0.0));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(ScoreSort.RadixThreshold - 1)]
    [InlineData(ScoreSort.RadixThreshold)]
    [InlineData(5_000)]
    public void Sort_RandomScoresWithTies_MatchesComparisonSortAndKeepsPayloads(int n)
    {
        var random = new Random(n);
        var scores = new double[n];
        var entries = new ScoreEntry[n];
        for (int i = 0; i < n; i++)
        {
            // A mix of ties, negatives, wide magnitudes and both zeros.
            scores[i] = (i % 4) switch
            {
                0 => Math.Round(random.NextDouble() * 4.0 - 2.0, 1),
                1 => (random.NextDouble() - 0.5) * Math.Pow(10.0, random.Next(-300, 300)),
                2 => random.Next(2) == 0 ? -0.0 : 0.0,
                _ => random.NextDouble(),
            };
            entries[i] = new ScoreEntry(ScoreSort.ToKey(scores[i]), i);
        }

        Span<ScoreEntry> sorted = ScoreSort.Sort(entries, new ScoreEntry[n]);

        double[] expected = [.. scores];
        Array.Sort(expected);
        for (int i = 0; i < n; i++)
        {
            scores[(int)sorted[i].Value].Should().Be(expected[i]);
        }

        sorted.ToArray().Select(e => (int)e.Value).Should().OnlyHaveUniqueItems();
    }
}
