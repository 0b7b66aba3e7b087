namespace FeedbackLoop.Drift;

/// <summary>The reference side of a binned comparison: the bin edges (none for categories) and the reference counts.</summary>
internal sealed class PreparedBins
{
    public PreparedBins(double[]? edges, long[] referenceCounts, long referenceCount)
    {
        Edges = edges;
        ReferenceCounts = referenceCounts;
        ReferenceCount = referenceCount;
    }

    /// <summary>Gets the interior bin edges, or <see langword="null"/> when values are category codes.</summary>
    public double[]? Edges { get; }

    public long[] ReferenceCounts { get; }

    public long ReferenceCount { get; }

    /// <summary>Checks and counts a current sample into bins aligned with the reference's, widening both for codes the reference never had.</summary>
    public (long[] Reference, long[] Current) Align(ReadOnlySpan<double> current)
    {
        if (Edges is null)
        {
            SampleChecks.RequireCategoryCodes(current, "current");
        }
        else
        {
            SampleChecks.RequireFinite(current, "current");
        }

        long[] currentCounts = DistributionBinning.Count(Edges, current, ReferenceCounts.Length);
        long[] referenceCounts = ReferenceCounts;
        if (currentCounts.Length > referenceCounts.Length)
        {
            referenceCounts = new long[currentCounts.Length];
            ReferenceCounts.CopyTo(referenceCounts, 0);
        }

        return (referenceCounts, currentCounts);
    }
}
