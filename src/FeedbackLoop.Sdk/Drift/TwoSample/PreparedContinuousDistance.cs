namespace FeedbackLoop.Drift;

/// <summary>A distance between a sorted reference and each sorted current sample.</summary>
internal sealed class PreparedContinuousDistance : IPreparedTwoSampleTest
{
    private readonly double[] _reference;
    private readonly double _threshold;
    private readonly DistanceOfSorted _distance;

    public PreparedContinuousDistance(string name, double[] sortedReference, double threshold, DistanceOfSorted distance)
    {
        Name = name;
        _reference = sortedReference;
        _threshold = threshold;
        _distance = distance;
    }

    /// <summary>The distance between two sorted samples.</summary>
    public delegate double DistanceOfSorted(ReadOnlySpan<double> reference, ReadOnlySpan<double> current);

    public string Name { get; }

    public long ReferenceCount => _reference.Length;

    public TwoSampleResult Compare(ReadOnlySpan<double> current)
    {
        if (SampleChecks.TooSmall(_reference.Length, current.Length) is { } reason)
        {
            SampleChecks.RequireFinite(current, "current");
            return TwoSampleResult.Insufficient(Name, _threshold, TwoSampleDecision.StatisticAtLeastThreshold, _reference.Length, current.Length, reason);
        }

        double distance = SortedSamples.WithSortedCurrent(current, (sorted, length) => _distance(_reference, sorted.AsSpan(0, length)));
        return TwoSampleResult.Decide(Name, distance, null, _threshold, TwoSampleDecision.StatisticAtLeastThreshold, _reference.Length, current.Length);
    }
}
