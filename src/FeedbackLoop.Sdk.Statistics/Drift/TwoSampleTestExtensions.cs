namespace FeedbackLoop.Drift;

/// <summary>Conveniences over <see cref="ITwoSampleTest"/>.</summary>
public static class TwoSampleTestExtensions
{
    /// <summary>Compares two samples once, preparing the reference on the way; prepare it once instead when it is reused.</summary>
    /// <param name="test">The test.</param>
    /// <param name="reference">The reference sample.</param>
    /// <param name="current">The current sample.</param>
    /// <returns>The result of <see cref="IPreparedTwoSampleTest.Compare"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="test"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is not accepted by the test.</exception>
    public static TwoSampleResult Test(this ITwoSampleTest test, ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        ArgumentNullException.ThrowIfNull(test);
        return test.Prepare(reference).Compare(current);
    }
}
