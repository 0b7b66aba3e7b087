namespace FeedbackLoop.Drift;

/// <summary>Counts the ones of a binary sample after checking it holds only 0 and 1.</summary>
internal static class BinaryCounts
{
    public static long Ones(ReadOnlySpan<double> values, string sample)
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
