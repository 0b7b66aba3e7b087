namespace FeedbackLoop.Drift;

/// <summary>A binned distance with its reference binned once: compares the bin proportions of each current sample with the reference's.</summary>
internal sealed class PreparedBinnedDistance : IPreparedTwoSampleTest
{
    private readonly PreparedBins _bins;
    private readonly double _threshold;
    private readonly double _epsilon;
    private readonly Func<double[], double[], double> _distance;

    /// <param name="name">The method's name.</param>
    /// <param name="bins">The prepared reference.</param>
    /// <param name="threshold">Drift when the distance is at least this.</param>
    /// <param name="epsilon">The proportion that replaces an empty bin's 0 on either side, or 0 to leave empty bins empty.</param>
    /// <param name="distance">The distance between the reference and current proportions.</param>
    public PreparedBinnedDistance(string name, PreparedBins bins, double threshold, double epsilon, Func<double[], double[], double> distance)
    {
        Name = name;
        _bins = bins;
        _threshold = threshold;
        _epsilon = epsilon;
        _distance = distance;
    }

    public string Name { get; }

    public long ReferenceCount => _bins.ReferenceCount;

    public TwoSampleResult Compare(ReadOnlySpan<double> current)
    {
        (long[] referenceCounts, long[] currentCounts) = _bins.Align(current);
        if (SampleChecks.TooSmall(ReferenceCount, current.Length) is { } reason)
        {
            return TwoSampleResult.Insufficient(Name, _threshold, TwoSampleDecision.StatisticAtLeastThreshold, ReferenceCount, current.Length, reason);
        }

        double distance = _distance(Proportions(referenceCounts, ReferenceCount), Proportions(currentCounts, current.Length));
        return TwoSampleResult.Decide(Name, distance, null, _threshold, TwoSampleDecision.StatisticAtLeastThreshold, ReferenceCount, current.Length);
    }

    private double[] Proportions(long[] counts, long total)
    {
        var proportions = new double[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            proportions[i] = counts[i] == 0 ? _epsilon : (double)counts[i] / total;
        }

        return proportions;
    }
}
