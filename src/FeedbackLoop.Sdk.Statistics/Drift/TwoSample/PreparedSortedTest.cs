namespace FeedbackLoop.Drift;

/// <summary>
/// A test on continuous values with its reference sorted once: each comparison checks and sorts the current sample
/// into a pooled buffer and hands both sorted samples to the test's formula.
/// </summary>
internal sealed class PreparedSortedTest : IPreparedTwoSampleTest
{
    private readonly double[] _reference;
    private readonly double _threshold;
    private readonly TwoSampleDecision _decision;
    private readonly Formula _formula;
    private readonly string? _undefinedReason;

    /// <param name="name">The method's name.</param>
    /// <param name="sortedReference">The reference, checked and sorted.</param>
    /// <param name="threshold">The significance level or distance threshold.</param>
    /// <param name="decision">How the threshold is compared.</param>
    /// <param name="formula">The statistic and p-value (null for a distance) of two sorted samples, or null when the samples leave it undefined.</param>
    /// <param name="undefinedReason">Why a null from <paramref name="formula"/> means insufficient data.</param>
    public PreparedSortedTest(string name, double[] sortedReference, double threshold, TwoSampleDecision decision, Formula formula, string? undefinedReason = null)
    {
        Name = name;
        _reference = sortedReference;
        _threshold = threshold;
        _decision = decision;
        _formula = formula;
        _undefinedReason = undefinedReason;
    }

    /// <summary>The statistic and p-value of two sorted samples, or null when the samples leave the test undefined.</summary>
    public delegate (double Statistic, double? PValue)? Formula(ReadOnlySpan<double> reference, ReadOnlySpan<double> current);

    public string Name { get; }

    public long ReferenceCount => _reference.Length;

    public TwoSampleResult Compare(ReadOnlySpan<double> current)
    {
        if (SampleChecks.TooSmall(_reference.Length, current.Length) is { } reason)
        {
            SampleChecks.RequireFinite(current, "current");
            return TwoSampleResult.Insufficient(Name, _threshold, _decision, _reference.Length, current.Length, reason);
        }

        var result = SortedSamples.WithSortedCurrent(current, (sorted, length) => _formula(_reference, sorted.AsSpan(0, length)));
        return result is { } r
            ? TwoSampleResult.Decide(Name, r.Statistic, r.PValue, _threshold, _decision, _reference.Length, current.Length)
            : TwoSampleResult.Insufficient(Name, _threshold, _decision, _reference.Length, current.Length, _undefinedReason ?? "the test is undefined for these samples");
    }
}
