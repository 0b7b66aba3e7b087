namespace FeedbackLoop.Drift;

/// <summary>A two-sample test whose reference sample has been prepared; compares current samples with it.</summary>
/// <remarks>Implementations are immutable and thread-safe: many threads may compare at once.</remarks>
public interface IPreparedTwoSampleTest
{
    /// <summary>Gets the short name of the method, for example <c>ks</c>.</summary>
    string Name { get; }

    /// <summary>Gets the number of values in the prepared reference sample.</summary>
    long ReferenceCount { get; }

    /// <summary>Compares a current sample with the prepared reference.</summary>
    /// <param name="current">The current sample.</param>
    /// <returns>The statistic, p-value where defined, threshold, verdict and sample sizes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not accepted by the test (for example NaN, or not 0/1 for a binary test).</exception>
    TwoSampleResult Compare(ReadOnlySpan<double> current);
}
