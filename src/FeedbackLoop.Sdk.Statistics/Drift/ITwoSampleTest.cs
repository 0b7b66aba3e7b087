namespace FeedbackLoop.Drift;

/// <summary>
/// A two-sample test or distance that compares a current sample with a reference sample. The reference is
/// prepared once (sorted, binned, counted) and can then be compared with many current samples.
/// </summary>
/// <remarks>Implementations are immutable and thread-safe.</remarks>
public interface ITwoSampleTest
{
    /// <summary>Gets the short name of the method, for example <c>ks</c> or <c>psi</c>, used in results and telemetry.</summary>
    string Name { get; }

    /// <summary>Prepares everything that depends only on the reference sample.</summary>
    /// <param name="reference">The reference sample; copied, so the caller may reuse the span.</param>
    /// <returns>The prepared reference, ready for <see cref="IPreparedTwoSampleTest.Compare"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not accepted by the test (for example NaN, or not 0/1 for a binary test).</exception>
    IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference);
}
