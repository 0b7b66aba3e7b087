using MathNet.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>
/// The two-proportion z-test with pooled variance for binary values (Evidently's <c>z</c> test):
/// <c>z = (p_r - p_c) / sqrt(P (1 - P) (1 / n_r + 1 / n_c))</c> with <c>P</c> the pooled share of ones, and the
/// two-sided p-value <c>2 (1 - Φ(|z|))</c>.
/// </summary>
/// <remarks>
/// <para>
/// Values must be exactly 0 or 1. The p-value is computed as <c>erfc(|z| / √2)</c>, the same quantity without the
/// cancellation of <c>1 - Φ</c> in the far tail. When both samples hold only zeros or only ones the pooled variance
/// is 0: the test then reports z = 0 and p = 1 (no evidence of a change), where Evidently special-cases equal constant
/// samples the same way. Samples of fewer than 2 values give an insufficient-data result. The default significance
/// level 0.05 is Evidently's.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class ProportionZTest : ITwoSampleTest, IHasSampleDomain
{
    /// <summary>Initializes a new instance of the <see cref="ProportionZTest"/> class.</summary>
    /// <param name="alpha">The significance level: drift when the p-value is below it. Defaults to 0.05.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public ProportionZTest(double alpha = 0.05)
    {
        SampleChecks.RequireProbability(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <inheritdoc />
    /// <value><c>z</c>.</value>
    public string Name => "z";

    /// <summary>Gets the significance level.</summary>
    /// <value>0.05 by default.</value>
    public double Alpha { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Binary;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) => new Prepared(this, BinaryCounts.Ones(reference, "reference"), reference.Length);

    private sealed class Prepared(ProportionZTest test, long referenceOnes, long referenceCount) : IPreparedTwoSampleTest
    {
        public string Name => test.Name;

        public long ReferenceCount => referenceCount;

        public TwoSampleResult Compare(ReadOnlySpan<double> current)
        {
            long currentOnes = BinaryCounts.Ones(current, "current");
            if (SampleChecks.TooSmall(referenceCount, current.Length) is { } reason)
            {
                return TwoSampleResult.Insufficient(Name, test.Alpha, TwoSampleDecision.PValueBelowThreshold, referenceCount, current.Length, reason);
            }

            double n1 = referenceCount;
            double n2 = current.Length;
            double p1 = referenceOnes / n1;
            double p2 = currentOnes / n2;
            double pooled = (referenceOnes + currentOnes) / (n1 + n2);
            double variance = pooled * (1 - pooled) * ((1 / n1) + (1 / n2));
            double z = variance > 0 ? (p1 - p2) / Math.Sqrt(variance) : 0;
            double pValue = variance > 0 ? SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2)) : 1;
            return TwoSampleResult.Decide(Name, z, pValue, test.Alpha, TwoSampleDecision.PValueBelowThreshold, referenceCount, current.Length);
        }
    }
}
