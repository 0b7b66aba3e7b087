using System.Buffers;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>Sorting and empirical-CDF walks shared by the continuous two-sample tests.</summary>
internal static class SortedSamples
{
    /// <summary>Checks that every value is finite and returns a sorted copy.</summary>
    public static double[] Prepare(ReadOnlySpan<double> reference)
    {
        SampleChecks.RequireFinite(reference, "reference");
        double[] sorted = new double[reference.Length];
        Sort(reference, sorted);
        return sorted;
    }

    /// <summary>
    /// Checks the current sample, sorts it into a rented buffer and passes the sorted span to
    /// <paramref name="compare"/>; the buffer is returned afterwards.
    /// </summary>
    public static TResult WithSortedCurrent<TResult>(ReadOnlySpan<double> current, Func<double[], int, TResult> compare)
    {
        SampleChecks.RequireFinite(current, "current");
        double[] buffer = ArrayPool<double>.Shared.Rent(Math.Max(1, current.Length));
        try
        {
            Sort(current, buffer);
            return compare(buffer, current.Length);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sorts finite values into <paramref name="destination"/>: by the radix sort of <see cref="ScoreSort"/> over their
    /// order-preserving keys (O(n), six passes at most) from 4,096 values, by a comparison sort below. −0 becomes +0,
    /// which compares equal.
    /// </summary>
    private static void Sort(ReadOnlySpan<double> values, Span<double> destination)
    {
        if (values.Length < 4_096)
        {
            values.CopyTo(destination);
            destination[..values.Length].Sort();
            return;
        }

        RadixKey[] keys = ArrayPool<RadixKey>.Shared.Rent(values.Length);
        RadixKey[] scratch = ArrayPool<RadixKey>.Shared.Rent(values.Length);
        try
        {
            for (int i = 0; i < values.Length; i++)
            {
                keys[i] = new RadixKey(ScoreSort.ToKey(values[i]));
            }

            Span<RadixKey> sorted = ScoreSort.Sort(keys.AsSpan(0, values.Length), scratch);
            for (int i = 0; i < sorted.Length; i++)
            {
                destination[i] = ScoreSort.FromKey(sorted[i].Key);
            }
        }
        finally
        {
            ArrayPool<RadixKey>.Shared.Return(keys);
            ArrayPool<RadixKey>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The integral over the real line of <c>|F_u(x) - F_v(x)|^power</c> for the empirical CDFs of two sorted
    /// samples, walked once over their merged distinct values: between consecutive distinct values <c>x_k</c> and
    /// <c>x_(k+1)</c> both CDFs are constant, so the integral is <c>Σ |F_u(x_k) - F_v(x_k)|^power (x_(k+1) - x_k)</c>
    /// (scipy.stats._cdf_distance).
    /// </summary>
    public static double CdfDistanceIntegral(ReadOnlySpan<double> u, ReadOnlySpan<double> v, int power)
    {
        double inverseN = 1.0 / u.Length;
        double inverseM = 1.0 / v.Length;
        int i = 0;
        int j = 0;
        double sum = 0;
        while (i < u.Length || j < v.Length)
        {
            double x = i < u.Length && (j >= v.Length || u[i] <= v[j]) ? u[i] : v[j];
            while (i < u.Length && u[i] == x)
            {
                i++;
            }

            while (j < v.Length && v[j] == x)
            {
                j++;
            }

            if (i == u.Length && j == v.Length)
            {
                break;
            }

            double next = i < u.Length && (j >= v.Length || u[i] <= v[j]) ? u[i] : v[j];
            double difference = Math.Abs((i * inverseN) - (j * inverseM));
            sum += (power == 1 ? difference : difference * difference) * (next - x);
        }

        return sum;
    }
}
