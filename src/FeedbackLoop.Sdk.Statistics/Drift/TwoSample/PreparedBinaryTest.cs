namespace FeedbackLoop.Drift;

/// <summary>A test on 0/1 values: the reference is reduced once to its count of ones, each current sample likewise.</summary>
internal sealed class PreparedBinaryTest : IPreparedTwoSampleTest
{
    private readonly long _referenceOnes;
    private readonly double _alpha;
    private readonly Formula _formula;

    public PreparedBinaryTest(string name, ReadOnlySpan<double> reference, double alpha, Formula formula)
    {
        Name = name;
        _referenceOnes = Ones(reference, "reference");
        ReferenceCount = reference.Length;
        _alpha = alpha;
        _formula = formula;
    }

    /// <summary>The statistic and p-value from the counts of ones and the sizes of both samples.</summary>
    public delegate (double Statistic, double PValue) Formula(long referenceOnes, long referenceCount, long currentOnes, long currentCount);

    public string Name { get; }

    public long ReferenceCount { get; }

    public TwoSampleResult Compare(ReadOnlySpan<double> current)
    {
        long currentOnes = Ones(current, "current");
        if (SampleChecks.TooSmall(ReferenceCount, current.Length) is { } reason)
        {
            return TwoSampleResult.Insufficient(Name, _alpha, TwoSampleDecision.PValueBelowThreshold, ReferenceCount, current.Length, reason);
        }

        (double statistic, double pValue) = _formula(_referenceOnes, ReferenceCount, currentOnes, current.Length);
        return TwoSampleResult.Decide(Name, statistic, pValue, _alpha, TwoSampleDecision.PValueBelowThreshold, ReferenceCount, current.Length);
    }

    private static long Ones(ReadOnlySpan<double> values, string sample)
    {
        SampleChecks.RequireBinary(values, sample);
        long ones = 0;
        foreach (double value in values)
        {
            ones += (long)value;
        }

        return ones;
    }
}
