namespace FeedbackLoop.Drift;

/// <summary>How a binned distance (PSI, Jensen-Shannon, KL, Hellinger, total variation, L-infinity) turns samples into distributions.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class DistributionBinning
{
    private DistributionBinning(int binCount)
    {
        BinCount = binCount;
    }

    /// <summary>Gets the binning of values as category codes: one bin per code (a whole number from 0 to 2^24 - 1).</summary>
    /// <remarks>A code seen only in the current sample gets a bin of its own, with no reference mass.</remarks>
    public static DistributionBinning Categories { get; } = new(0);

    /// <summary>Gets the number of quantile bins, or 0 for <see cref="Categories"/>.</summary>
    public int BinCount { get; }

    /// <summary>Gets a value indicating whether values are category codes.</summary>
    public bool IsCategorical => BinCount == 0;

    /// <summary>
    /// Bins numeric values by quantiles of the reference sample: the interior edges are the reference quantiles at
    /// <c>k / count</c> for <c>k = 1 .. count - 1</c> (linear interpolation between order statistics, numpy's
    /// default <c>method="linear"</c>), equal edges are merged, and a value <c>v</c> falls in the bin numbered by how
    /// many edges are <c>&lt;= v</c>. The outer bins are open, so values beyond the reference range fall in the first
    /// or last bin. A constant reference has a single edge, at its value: values below it fall in one bin, values at
    /// or above it in the other, so a shift above a constant reference is not seen by a binned distance (use
    /// <see cref="WassersteinDistance"/> for such a feature).
    /// </summary>
    /// <param name="count">The number of bins before equal edges are merged; at least 2. Defaults to 10 (deciles).</param>
    /// <returns>The binning.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 2 or more than 10,000.</exception>
    public static DistributionBinning QuantileBins(int count = 10) =>
        count is >= 2 and <= 10_000
            ? new DistributionBinning(count)
            : throw new ArgumentOutOfRangeException(nameof(count), count, "The number of quantile bins must be between 2 and 10,000.");

    /// <summary>Checks the reference sample and computes what the bins need from it.</summary>
    internal PreparedBins Prepare(ReadOnlySpan<double> reference)
    {
        if (IsCategorical)
        {
            SampleChecks.RequireCategoryCodes(reference, "reference");
            return new PreparedBins(null, Count(null, reference, 0), reference.Length);
        }

        double[] sorted = SortedSamples.Prepare(reference);
        var edges = new List<double>(BinCount - 1);
        if (sorted.Length > 0)
        {
            for (int k = 1; k < BinCount; k++)
            {
                double edge = Quantile(sorted, (double)k / BinCount);
                if (edges.Count == 0 || edge > edges[^1])
                {
                    edges.Add(edge);
                }
            }
        }

        double[] interior = [.. edges];
        return new PreparedBins(interior, Count(interior, reference, 0), reference.Length);
    }

    /// <summary>Counts the values of a sample per bin; a categorical table grows to hold every code seen.</summary>
    internal static long[] Count(double[]? edges, ReadOnlySpan<double> values, int minimumBins)
    {
        if (edges is null)
        {
            int bins = minimumBins;
            foreach (double value in values)
            {
                bins = Math.Max(bins, (int)value + 1);
            }

            var counts = new long[bins];
            foreach (double value in values)
            {
                counts[(int)value]++;
            }

            return counts;
        }

        var binCounts = new long[edges.Length + 1];
        foreach (double value in values)
        {
            binCounts[UpperBound(edges, value)]++;
        }

        return binCounts;
    }

    /// <summary>numpy's default quantile (type 7 of Hyndman and Fan 1996): <c>h = (n - 1) p</c>, linear between the neighbouring order statistics.</summary>
    internal static double Quantile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int low = (int)Math.Floor(h);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((h - low) * (sorted[high] - sorted[low]));
    }

    /// <summary>The number of edges less than or equal to <paramref name="value"/>.</summary>
    private static int UpperBound(double[] edges, double value)
    {
        int low = 0;
        int high = edges.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (edges[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
