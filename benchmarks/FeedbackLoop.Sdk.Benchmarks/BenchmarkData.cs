using FeedbackLoop.Drift;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Benchmarks;

/// <summary>The benchmark data, regenerated bit for bit by benchmarks/reference/time_scipy_two_sample.py.</summary>
internal static class BenchmarkData
{
    /// <summary>Value i is <c>scale · u_i + shift</c>, with <c>u_i</c> the i-th SplitMix64 double from the seed.</summary>
    public static double[] Uniform(ulong seed, int count, double scale = 10, double shift = 0)
    {
        var random = new SplitMix64(seed);
        var values = new double[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (scale * random.NextDouble()) + shift;
        }

        return values;
    }
}
