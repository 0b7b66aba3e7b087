using System.Buffers;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// Seeded nonparametric bootstrap intervals of a metric (Efron and Tibshirani 1993, "An Introduction to the
/// Bootstrap", chapter 13, percentile intervals): resample the examples with replacement, recompute, and take the
/// quantiles of the replicates.
/// </summary>
/// <remarks>
/// Resample <c>r</c> has its own generator seeded from the seed and <c>r</c>, so an interval is the same whatever the
/// number of threads; resamples run in parallel. A resample on which the metric is undefined (one class only, for ROC
/// AUC) is left out, and <see cref="MetricEstimate.Resamples"/> says how many remain. ROC AUC has a fast path: the
/// scores are sorted once, and each resample only draws counts in score order and walks the curve, O(n) per resample.
/// </remarks>
public static class Bootstrap
{
    /// <summary>Computes a metric on a batch with its bootstrap percentile interval.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="actual">The actual labels.</param>
    /// <param name="predicted">The predicted labels, or empty for a score metric.</param>
    /// <param name="scores">The scores, or empty for a label metric.</param>
    /// <param name="resamples">The number of resamples, 1 to 100,000; 1,000 by default.</param>
    /// <param name="confidenceLevel">The coverage of the interval, in (0, 1); 0.95 by default.</param>
    /// <param name="seed">The seed of the resampling; 0 by default.</param>
    /// <returns>The value on the batch and its interval.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metric"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">As <see cref="Metric.Compute(ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{double}, ReadOnlySpan{double})"/>, or the metric is undefined on the batch.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resamples"/> or <paramref name="confidenceLevel"/> is out of range, or as <see cref="Metric.Compute(ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{double}, ReadOnlySpan{double})"/>.</exception>
    public static MetricEstimate Interval(
        Metric metric,
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<bool> predicted,
        ReadOnlySpan<double> scores,
        int resamples = 1_000,
        double confidenceLevel = 0.95,
        ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (resamples is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "The number of resamples must be between 1 and 100,000.");
        }

        if (!(confidenceLevel > 0 && confidenceLevel < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "The confidence level must be greater than 0 and less than 1.");
        }

        double value = metric.Compute(actual, predicted, scores);
        string? undefined = metric.UndefinedReason(actual, predicted, default);
        if (undefined is not null)
        {
            throw new ArgumentException($"{metric.Name} is not defined on this batch: {undefined}.", nameof(actual));
        }

        double[] replicates = metric == Metric.RocAuc
            ? RocAucReplicates(actual, scores, resamples, seed)
            : Replicates(metric, actual.ToArray(), predicted.ToArray(), scores.ToArray(), resamples, seed);
        return Resampling.Interval(value, replicates.Where(v => !double.IsNaN(v)).ToArray(), confidenceLevel);
    }

    private static double[] Replicates(Metric metric, bool[] actual, bool[] predicted, double[] scores, int resamples, ulong seed)
    {
        double[] replicates = new double[resamples];
        Parallel.For(0, resamples, () => new double[actual.Length], (r, _, counts) =>
        {
            Resampling.Draw(counts, seed, r);
            replicates[r] = metric.UndefinedReason(actual, predicted, counts) is null ? metric.Compute(actual, predicted, scores, counts) : double.NaN;
            return counts;
        }, _ => { });
        return replicates;
    }

    /// <summary>
    /// ROC AUC replicates with the scores sorted once: drawing an example uniformly is drawing a position in score order
    /// uniformly, so each resample draws counts directly in score order and walks the thresholds as
    /// <see cref="BinaryClassificationMetrics.RocAuc"/> does.
    /// </summary>
    private static double[] RocAucReplicates(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores, int resamples, ulong seed)
    {
        int n = actual.Length;
        var entries = new ScoreEntry[n];
        ScoreEntry[] scratch = ArrayPool<ScoreEntry>.Shared.Rent(n);
        for (int i = 0; i < n; i++)
        {
            entries[i] = new ScoreEntry(ScoreSort.ToKey(scores[i]), actual[i] ? 1.0 : -1.0);
        }

        ScoreEntry[] sorted = ScoreSort.Sort(entries.AsSpan(), scratch.AsSpan(0, n)).ToArray();
        ArrayPool<ScoreEntry>.Shared.Return(scratch);
        double[] replicates = new double[resamples];
        Parallel.For(0, resamples, () => new double[n], (r, _, counts) =>
        {
            Resampling.Draw(counts, seed, r);
            replicates[r] = WeightedArea(sorted, counts);
            return counts;
        }, _ => { });
        return replicates;
    }

    /// <summary>The trapezoid ROC area of <paramref name="sorted"/> (ascending) with per-position weights; NaN with one class.</summary>
    private static double WeightedArea(ScoreEntry[] sorted, double[] weights)
    {
        double truePositives = 0;
        double falsePositives = 0;
        double twiceArea = 0;
        int i = sorted.Length - 1;
        while (i >= 0)
        {
            ulong threshold = sorted[i].Key;
            double previousTrue = truePositives;
            double previousFalse = falsePositives;
            do
            {
                double w = weights[i];
                if (sorted[i].Value > 0)
                {
                    truePositives += w;
                }
                else
                {
                    falsePositives += w;
                }

                i--;
            }
            while (i >= 0 && sorted[i].Key == threshold);

            twiceArea += (falsePositives - previousFalse) * (truePositives + previousTrue);
        }

        return truePositives > 0 && falsePositives > 0 ? 0.5 * twiceArea / (truePositives * falsePositives) : double.NaN;
    }
}
