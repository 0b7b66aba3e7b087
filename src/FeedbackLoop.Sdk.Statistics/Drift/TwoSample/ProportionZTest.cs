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
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) => new PreparedBinaryTest(Name, reference, Alpha, Test);

    /// <summary>The pooled two-proportion z statistic and its two-sided p-value.</summary>
    private static (double Z, double PValue) Test(long referenceOnes, long referenceCount, long currentOnes, long currentCount)
    {
        double n1 = referenceCount;
        double n2 = currentCount;
        double pooled = (referenceOnes + currentOnes) / (n1 + n2);
        double variance = pooled * (1 - pooled) * ((1 / n1) + (1 / n2));
        if (variance <= 0)
        {
            return (0, 1);
        }

        double z = ((referenceOnes / n1) - (currentOnes / n2)) / Math.Sqrt(variance);
        return (z, SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2)));
    }
}
