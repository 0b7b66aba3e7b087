using System.Numerics;
using MathNet.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>
/// The two-sided Mann-Whitney U test (Mann and Whitney 1947) as scipy.stats.mannwhitneyu computes it with its
/// defaults (scipy 1.10: <c>method="auto"</c>, <c>use_continuity=True</c>).
/// </summary>
/// <remarks>
/// <para>
/// The statistic is <c>U_r = R_r - n_r (n_r + 1) / 2</c>, from the rank sum <c>R_r</c> of the reference sample in the
/// pooled sample (tied values share their average rank), as scipy reports it. When either sample has at most 8 values
/// and there are no ties, the p-value is exact: twice the probability that <c>U</c> is at least
/// <c>max(U_r, n_r n_c - U_r)</c>, from the exact null distribution (the coefficients of the Gaussian binomial
/// <c>[n_r + n_c choose n_r]_q</c>, counted in integers). Otherwise it is the normal approximation with the tie
/// correction <c>σ² = n_r n_c / 12 · ((n + 1) - Σ (t³ - t) / (n (n - 1)))</c> and a continuity correction of 0.5.
/// When every value is the same, σ = 0 and the p-value is 1, as in scipy. The exact distribution is used while its
/// degree <c>n_r n_c</c> is at most 200,000; beyond that (a sample of at most 8 values against one of more than
/// 25,000) the normal approximation is used where scipy would still count exactly. Samples of fewer than 2 values
/// give an insufficient-data result. The default significance level is 0.05.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class MannWhitneyUTest : ITwoSampleTest, IHasSampleDomain
{
    private const int ExactMaximumSize = 8;
    private const long ExactMaximumDegree = 200_000;

    /// <summary>Initializes a new instance of the <see cref="MannWhitneyUTest"/> class.</summary>
    /// <param name="alpha">The significance level: drift when the p-value is below it. Defaults to 0.05.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public MannWhitneyUTest(double alpha = 0.05)
    {
        SampleChecks.RequireProbability(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <inheritdoc />
    /// <value><c>mannwhitneyu</c>.</value>
    public string Name => "mannwhitneyu";

    /// <summary>Gets the significance level.</summary>
    /// <value>0.05 by default.</value>
    public double Alpha { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedSortedTest(Name, SortedSamples.Prepare(reference), Alpha, TwoSampleDecision.PValueBelowThreshold, (r, c) => Test(r, c));

    private static (double U, double PValue) Test(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        long n1 = reference.Length;
        long n2 = current.Length;
        double rankSum = 0;
        double tieTerm = 0;
        bool ties = false;
        int i = 0;
        int j = 0;
        long rank = 0;
        while (i < reference.Length || j < current.Length)
        {
            double x = i < reference.Length && (j >= current.Length || reference[i] <= current[j]) ? reference[i] : current[j];
            int fromReference = 0;
            while (i < reference.Length && reference[i] == x)
            {
                i++;
                fromReference++;
            }

            int fromCurrent = 0;
            while (j < current.Length && current[j] == x)
            {
                j++;
                fromCurrent++;
            }

            long t = fromReference + fromCurrent;
            double averageRank = rank + ((t + 1) / 2.0);
            rankSum += fromReference * averageRank;
            tieTerm += ((double)t * t * t) - t;
            ties |= t > 1;
            rank += t;
        }

        double u1 = rankSum - (n1 * (n1 + 1) / 2.0);
        double u = Math.Max(u1, (n1 * n2) - u1);
        if (Math.Min(n1, n2) <= ExactMaximumSize && !ties && n1 * n2 <= ExactMaximumDegree)
        {
            return (u1, Math.Min(1.0, 2 * ExactUpperTail((int)Math.Min(n1, n2), (int)Math.Max(n1, n2), (long)u)));
        }

        double n = n1 + n2;
        double sigma = Math.Sqrt(n1 * n2 / 12.0 * ((n + 1) - (tieTerm / (n * (n - 1)))));
        double z = (u - (n1 * n2 / 2.0) - 0.5) / sigma;
        // Two-sided: 2 (1 - Φ(z)) = erfc(z / √2). All values tied: σ = 0, z = -∞ and the p-value 1, as in scipy.
        return (u1, Math.Clamp(SpecialFunctions.Erfc(z / Math.Sqrt(2)), 0, 1));
    }

    /// <summary>
    /// P(U &gt;= u) under the null for samples of sizes <paramref name="small"/> and <paramref name="large"/>: the
    /// number of arrangements with U = k is the coefficient of q^k in the Gaussian binomial
    /// <c>Π_(i=1)^(s) (1 - q^(L+i)) / (1 - q^i)</c> (Andrews, "The Theory of Partitions", 3.3), built one factor pair at
    /// a time so every partial product is itself a Gaussian binomial with non-negative integer coefficients.
    /// </summary>
    private static double ExactUpperTail(int small, int large, long u)
    {
        int degree = small * large;
        var coefficients = new BigInteger[degree + 1];
        coefficients[0] = BigInteger.One;
        int current = 0;
        for (int i = 1; i <= small; i++)
        {
            int shift = large + i;
            current += large;
            for (int k = Math.Min(current, degree); k >= shift; k--)
            {
                coefficients[k] -= coefficients[k - shift];
            }

            for (int k = i; k <= current; k++)
            {
                coefficients[k] += coefficients[k - i];
            }
        }

        // The distribution is symmetric: P(U >= u) = P(U <= s L - u), summed from the left as scipy does.
        BigInteger tail = BigInteger.Zero;
        BigInteger total = BigInteger.Zero;
        for (int k = 0; k <= degree; k++)
        {
            total += coefficients[k];
            if (k <= degree - u)
            {
                tail += coefficients[k];
            }
        }

        return Math.Exp(BigInteger.Log(tail) - BigInteger.Log(total));
    }
}
