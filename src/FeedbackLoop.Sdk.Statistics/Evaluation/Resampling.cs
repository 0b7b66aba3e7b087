using FeedbackLoop.Numerics;

namespace FeedbackLoop.Evaluation;

/// <summary>The seeded nonparametric bootstrap shared by the evaluation intervals (Efron and Tibshirani 1993, "An Introduction to the Bootstrap", chapters 6 and 13).</summary>
internal static class Resampling
{
    /// <summary>
    /// Fills <paramref name="counts"/> with how often each of its positions is drawn in resample
    /// <paramref name="resample"/>: <c>counts.Length</c> draws with replacement, so the counts are the weights of a
    /// resample. Each resample has its own generator, so the result does not depend on which thread draws it.
    /// </summary>
    public static void Draw(Span<double> counts, ulong seed, int resample)
    {
        counts.Clear();
        SplitMix64 random = Stream(seed, resample);
        for (int i = 0; i < counts.Length; i++)
        {
            counts[random.NextInt32(counts.Length)] += 1;
        }
    }

    /// <summary>
    /// The generator of stream <paramref name="index"/> of a seed. It starts at a hash of (seed, index): SplitMix64's
    /// output is a bijective mix of its state, so streams do not overlap as they would from states a multiple of its
    /// increment apart.
    /// </summary>
    public static SplitMix64 Stream(ulong seed, long index)
    {
        var mixer = new SplitMix64(seed ^ (0xD1B54A32D192ED03UL * (ulong)index));
        return new SplitMix64(mixer.NextUInt64());
    }

    /// <summary>
    /// The percentile interval of the replicates (their (1 − c)/2 and (1 + c)/2 quantiles, interpolated linearly between
    /// order statistics as NumPy's default), sorting <paramref name="replicates"/> in place.
    /// </summary>
    public static MetricEstimate Interval(double value, Span<double> replicates, double confidenceLevel)
    {
        if (replicates.IsEmpty)
        {
            return new MetricEstimate(value, value, value, 0);
        }

        replicates.Sort();
        double tail = (1 - confidenceLevel) / 2;
        return new MetricEstimate(value, Quantile(replicates, tail), Quantile(replicates, 1 - tail), replicates.Length);
    }

    /// <summary>The <paramref name="q"/> quantile of sorted values, interpolated linearly between order statistics (NumPy's default).</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        double index = (sorted.Length - 1) * q;
        int below = (int)Math.Floor(index);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (index - below));
    }
}
