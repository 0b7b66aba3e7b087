using FeedbackLoop.Drift;
using FeedbackLoop.Numerics;
using FeedbackLoop.State;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Drift;

// Bound under test: DataSketches' published normalized rank error for KLL at 99% confidence, all queries at once
// (2.446 / k^0.9433, 1.65% at k = 200), on 1,000,000-value streams of several shapes, single and merged.
public sealed class KllSketchTests
{
    private const int N = 1_000_000;

    public static TheoryData<string> Shapes => new(["uniform", "normal", "ties", "sorted", "reverse"]);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RankAndQuantile_OnAMillionValues_StayWithinTheRankErrorBound(string shape)
    {
        double[] values = Stream(shape, N, seed: 1);
        var sketch = new KllSketch(seed: 7);
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        AssertWithinBound(sketch, values);
        sketch.Count.Should().Be(N);
        sketch.Minimum.Should().Be(values.Min());
        sketch.Maximum.Should().Be(values.Max());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Merge_FourPartitions_StaysWithinTheBoundOfTheUnion(string shape)
    {
        double[] values = Stream(shape, N, seed: 2);
        var parts = Enumerable.Range(0, 4).Select(p => new KllSketch(seed: (ulong)p)).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            parts[i % 4].Add(values[i]);
        }

        var merged = new KllSketch(seed: 99);
        foreach (var part in parts)
        {
            merged.Merge(part);
        }

        merged.Count.Should().Be(N);
        AssertWithinBound(merged, values);
        parts[1].Count.Should().Be(N / 4, "a merge leaves the other sketch unchanged");
    }

    [Fact]
    public void RetainedCount_IsBoundedWhateverTheStreamLength()
    {
        var sketch = new KllSketch();
        var random = new SplitMix64(3);
        int atMillion = 0;
        for (int i = 1; i <= 10_000_000; i++)
        {
            sketch.Add(random.NextDouble());
            if (i == 1_000_000)
            {
                atMillion = sketch.RetainedCount;
            }
        }

        // Capacities sum to about 3k plus 8 per low level: well under 1,000 values for k = 200.
        atMillion.Should().BeLessThan(1_000);
        sketch.RetainedCount.Should().BeLessThan(1_000);
    }

    [Fact]
    public void Add_SteadyState_DoesNotAllocate()
    {
        var sketch = new KllSketch();
        var random = new SplitMix64(4);
        for (int i = 0; i < 100_000; i++)
        {
            sketch.Add(random.NextDouble());
        }

        Allocations.OnCurrentThread(() =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                sketch.Add(random.NextDouble());
            }
        }).Should().Be(0);
    }

    [Fact]
    public void Restore_MidStream_ContinuesIdentically()
    {
        double[] values = Stream("normal", 200_000, seed: 5);
        var original = new KllSketch(seed: 11);
        foreach (double value in values.AsSpan(0, 123_457))
        {
            original.Add(value);
        }

        KllSketch restored = KllSketch.Restore(StateSnapshot.FromBytes(original.Snapshot().ToBytes()));
        foreach (double value in values.AsSpan(123_457))
        {
            original.Add(value);
            restored.Add(value);
        }

        restored.Snapshot().ToBytes().Should().Equal(original.Snapshot().ToBytes());
        restored.Quantile(0.5).Should().Be(original.Quantile(0.5));
    }

    [Fact]
    public void Restore_CorruptOrForeign_IsRefused()
    {
        var sketch = new KllSketch();
        sketch.Add(1);
        byte[] bytes = sketch.Snapshot().ToBytes();

        // k = 200, generator state 0, count 5, minimum 1, maximum 2, one level holding a single value: weights add up to 1, not 5.
        StateSnapshot inconsistent = new SnapshotWriter(nameof(KllSketch), 1).Write(200).Write(0L).Write(5L).Write(1.0).Write(2.0).Write(1).Write([1.0]).ToSnapshot();
        Action foreign = () => KllSketch.Restore(new Ddm().Snapshot());
        Action corrupt = () => KllSketch.Restore(inconsistent);
        Action truncated = () => StateSnapshot.FromBytes(bytes.AsSpan(0, bytes.Length - 3));

        foreign.Should().Throw<ArgumentException>().WithMessage("*Ddm state*");
        corrupt.Should().Throw<ArgumentException>().WithMessage("*corrupt*add up*");
        truncated.Should().Throw<FormatException>();
    }

    public static TheoryData<string, string> StructuralInvariants => new()
    {
        { "level 0 over its capacity", "*array length 9 is outside 0..8*" },
        { "level 0 at its capacity", "*level 0 holds 8 values*" },
        { "upper level at k", "*level 1 holds 8 values*" },
        { "weights overflowing 64 bits", "*add up*" },
        { "empty top level", "*top level is empty*" },
        { "minimum above maximum", "*minimum*maximum*" },
        { "NaN bounds with values", "*minimum*maximum*" },
        { "infinite maximum", "*minimum*maximum*" },
        { "bounds on an empty sketch", "*minimum*maximum*" },
        { "value outside the bounds", "*value 3 is outside*" },
        { "NaN value", "*value NaN is outside*" },
    };

    [Theory]
    [MemberData(nameof(StructuralInvariants))]
    public void Restore_StructurallyInvalidSnapshot_IsRefusedAsCorrupt(string invariant, string message)
    {
        StateSnapshot snapshot = Violating(invariant);

        Action restore = () => KllSketch.Restore(snapshot);

        restore.Should().Throw<ArgumentException>().WithMessage("*KllSketch snapshot is corrupt*").WithMessage(message).And.ParamName.Should().Be("snapshot");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(200)]
    public void Restore_AfterAnyMixOfAddsAndMerges_AcceptsTheSnapshotAndContinuesIdentically(int k)
    {
        // Merges leave levels above the capacity their level count gives them (see Restore's remarks); every state this
        // class reaches must still be accepted.
        var random = new SplitMix64((ulong)k);
        var sketch = new KllSketch(k, seed: 1);
        for (int step = 0; step < 40; step++)
        {
            if (random.NextInt32(3) == 0)
            {
                var other = new KllSketch(k, seed: (ulong)step);
                for (int i = random.NextInt32(20 * k); i > 0; i--)
                {
                    other.Add(random.NextDouble());
                }

                sketch.Merge(other);
            }
            else
            {
                for (int i = random.NextInt32(10 * k); i > 0; i--)
                {
                    sketch.Add(random.NextDouble());
                }
            }

            KllSketch restored = KllSketch.Restore(StateSnapshot.FromBytes(sketch.Snapshot().ToBytes()));
            for (int i = 0; i < 3 * k; i++)
            {
                double value = random.NextDouble();
                sketch.Add(value);
                restored.Add(value);
            }

            restored.Snapshot().ToBytes().Should().Equal(sketch.Snapshot().ToBytes());
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Add_NotFinite_ThrowsAndKeepsTheSketch(double value)
    {
        var sketch = new KllSketch();
        sketch.Add(1);

        Action act = () => sketch.Add(value);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*finite*");
        sketch.Count.Should().Be(1);
    }

    [Fact]
    public void Queries_OnAnEmptySketch_Throw()
    {
        var sketch = new KllSketch();

        Action rank = () => sketch.Rank(1);
        Action quantile = () => sketch.Quantile(0.5);

        rank.Should().Throw<InvalidOperationException>().WithMessage("*empty*");
        quantile.Should().Throw<InvalidOperationException>().WithMessage("*empty*");
        sketch.Minimum.Should().Be(double.NaN);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Quantile_FractionOutsideUnitInterval_Throws(double fraction)
    {
        var sketch = new KllSketch();
        sketch.Add(1);

        Action act = () => sketch.Quantile(fraction);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(fraction));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(70_000)]
    public void Constructor_KOutOfRange_Throws(int k)
    {
        Action act = () => _ = new KllSketch(k);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(k));
    }

    [Fact]
    public void Merge_DifferentK_Throws()
    {
        Action act = () => new KllSketch(200).Merge(new KllSketch(100));
        act.Should().Throw<ArgumentException>().WithMessage("*same k*");
    }

    [Fact]
    public void NormalizedRankError_MatchesDataSketchesFigures()
    {
        KllSketch.NormalizedRankError(200, allQueries: true).Should().BeApproximately(0.0165, 0.0001);
        KllSketch.NormalizedRankError(200, allQueries: false).Should().BeApproximately(0.0133, 0.0001);
    }

    internal static double[] Stream(string shape, int n, ulong seed)
    {
        var random = new SplitMix64(seed);
        double[] values = shape switch
        {
            "uniform" => Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray(),
            "normal" => Enumerable.Range(0, n).Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray(),
            "ties" => Enumerable.Range(0, n).Select(_ => (double)random.NextInt32(20)).ToArray(),
            "sorted" => Enumerable.Range(0, n).Select(i => (double)i).ToArray(),
            "reverse" => Enumerable.Range(0, n).Select(i => (double)(n - i)).ToArray(),
            _ => throw new ArgumentException($"Unknown shape {shape}.", nameof(shape)),
        };
        return values;
    }

    /// <summary>A snapshot that breaks one structural invariant of the sketch and keeps every other.</summary>
    private static StateSnapshot Violating(string invariant) => invariant switch
    {
        // Level 0 of a one-level sketch with k = 8 has capacity 8 and a buffer of 9: the next Add wrote past it.
        "level 0 over its capacity" => Crafted(k: 8, count: 9, minimum: 0, maximum: 8, [0, 1, 2, 3, 4, 5, 6, 7, 8]),
        "level 0 at its capacity" => Crafted(k: 8, count: 8, minimum: 0, maximum: 7, [0, 1, 2, 3, 4, 5, 6, 7]),
        "upper level at k" => Crafted(k: 8, count: 16, minimum: 0, maximum: 7, [], [0, 1, 2, 3, 4, 5, 6, 7]),

        // 16 values of weight 2^60 wrap a 64-bit total to 0, so a count of 1 used to add up.
        "weights overflowing 64 bits" => Crafted(k: 17, count: 1, minimum: 0, maximum: 1, [.. Enumerable.Range(0, 61).Select(h => h == 0 ? [0.5] : h == 60 ? Enumerable.Repeat(0.5, 16).ToArray() : Array.Empty<double>())]),
        "empty top level" => Crafted(k: 8, count: 1, minimum: 1, maximum: 1, [1], []),
        "minimum above maximum" => Crafted(k: 8, count: 1, minimum: 2, maximum: 1, [1.5]),
        "NaN bounds with values" => Crafted(k: 8, count: 1, minimum: double.NaN, maximum: double.NaN, [1]),
        "infinite maximum" => Crafted(k: 8, count: 1, minimum: 1, maximum: double.PositiveInfinity, [1]),
        "bounds on an empty sketch" => Crafted(k: 8, count: 0, minimum: 0, maximum: 0, Array.Empty<double>()),
        "value outside the bounds" => Crafted(k: 8, count: 2, minimum: 0, maximum: 1, [0.5, 3]),
        "NaN value" => Crafted(k: 8, count: 1, minimum: 0, maximum: 1, [double.NaN]),
        _ => throw new ArgumentException($"Unknown invariant {invariant}.", nameof(invariant)),
    };

    /// <summary>A snapshot in KllSketch's version-1 layout: k, generator state, count, minimum, maximum, level count, then each level's values.</summary>
    private static StateSnapshot Crafted(int k, long count, double minimum, double maximum, params double[][] levels)
    {
        var writer = new SnapshotWriter(nameof(KllSketch), 1).Write(k).Write(0L).Write(count).Write(minimum).Write(maximum).Write(levels.Length);
        foreach (double[] level in levels)
        {
            writer.Write(level);
        }

        return writer.ToSnapshot();
    }

    private static void AssertWithinBound(KllSketch sketch, double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        double bound = KllSketch.NormalizedRankError(sketch.K, allQueries: true);
        double worstRank = 0;
        double worstQuantile = 0;
        for (int i = 1; i < 100; i++)
        {
            double q = i / 100.0;
            double x = sorted[(int)(q * (sorted.Length - 1))];
            worstRank = Math.Max(worstRank, Math.Abs(sketch.Rank(x) - ExactRank(sorted, x)));

            // The exact rank interval of the returned value must reach within the bound of q.
            double estimate = sketch.Quantile(q);
            double low = ExactRankBelow(sorted, estimate);
            double high = ExactRank(sorted, estimate);
            worstQuantile = Math.Max(worstQuantile, q < low ? low - q : q > high ? q - high : 0);
        }

        worstRank.Should().BeLessThanOrEqualTo(bound);
        worstQuantile.Should().BeLessThanOrEqualTo(bound);
    }

    private static double ExactRank(double[] sorted, double x) => (double)UpperBound(sorted, x) / sorted.Length;

    private static double ExactRankBelow(double[] sorted, double x) => (double)LowerBound(sorted, x) / sorted.Length;

    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) { lo = mid + 1; } else { hi = mid; }
        }

        return lo;
    }

    private static int LowerBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) { lo = mid + 1; } else { hi = mid; }
        }

        return lo;
    }
}
