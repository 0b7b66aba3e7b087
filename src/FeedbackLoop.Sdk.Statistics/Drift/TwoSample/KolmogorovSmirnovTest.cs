namespace FeedbackLoop.Drift;

/// <summary>
/// The two-sided two-sample Kolmogorov-Smirnov test (Smirnov 1939): the statistic is the largest distance between the
/// two empirical distribution functions, with the p-value scipy.stats.ks_2samp computes with <c>method="auto"</c>.
/// </summary>
/// <remarks>
/// <para>
/// <c>D = max_x |F_r(x) - F_c(x)|</c>, found in one walk over both sorted samples (the reference is sorted once in
/// <see cref="Prepare"/>, each current sample into a pooled buffer). When neither sample has more than 10,000 values
/// the p-value is exact: <c>D</c> is rounded to the lattice <c>h / lcm(n_r, n_c)</c> (and reported so, as scipy does)
/// and the share of lattice paths reaching it is counted (Hodges 1958; Viehmann 2021 for unequal sizes). Otherwise the
/// p-value is scipy's asymptotic one, the tail of the one-sample distribution of <c>D_n</c> at
/// <c>n = round(n_r n_c / (n_r + n_c))</c> (Simard and L'Ecuyer 2011). Ties are handled exactly: both distribution
/// functions are evaluated after all copies of a value. Identical or constant equal samples give <c>D = 0</c> and
/// p-value 1. Samples of fewer than 2 values give an insufficient-data result. The default significance level 0.05 is
/// Evidently's.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class KolmogorovSmirnovTest : ITwoSampleTest, IHasSampleDomain
{
    private const int MaximumExactSize = 10_000;

    /// <summary>Initializes a new instance of the <see cref="KolmogorovSmirnovTest"/> class.</summary>
    /// <param name="alpha">The significance level: drift when the p-value is below it. Defaults to 0.05.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public KolmogorovSmirnovTest(double alpha = 0.05)
    {
        SampleChecks.RequireProbability(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <inheritdoc />
    /// <value><c>ks</c>.</value>
    public string Name => "ks";

    /// <summary>Gets the significance level.</summary>
    /// <value>0.05 by default.</value>
    public double Alpha { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedSortedTest(Name, SortedSamples.Prepare(reference), Alpha, TwoSampleDecision.PValueBelowThreshold, (r, c) => Test(r, c));

    /// <summary>The statistic and p-value for two sorted samples.</summary>
    internal static (double Statistic, double PValue) Test(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        PValue(reference.Length, current.Length, Statistic(reference, current));

    /// <summary>
    /// scipy's <c>method="auto"</c>: the exact p-value when neither size exceeds 10,000 (with the statistic rounded to
    /// its lattice <c>h / lcm</c>), falling back, as scipy does, to the asymptotic one when the exact computation leaves
    /// [0, 1] through rounding.
    /// </summary>
    internal static (double Statistic, double PValue) PValue(long n1, long n2, double d)
    {
        if (Math.Max(n1, n2) <= MaximumExactSize)
        {
            long g = (long)System.Numerics.BigInteger.GreatestCommonDivisor(n1, n2);
            long lcm = n1 / g * n2;
            long h = (long)Math.Round(d * lcm);
            d = (double)h / lcm;
            if (h == 0)
            {
                return (d, 1.0);
            }

            double p = n1 == n2 ? KolmogorovDistribution.OutsideSquare(n1, h) : KolmogorovDistribution.OutsideBand(n1, n2, g, h);
            if (p is >= 0 and <= 1)
            {
                return (d, p);
            }
        }

        double m = Math.Max(n1, n2);
        double n = Math.Min(n1, n2);
        long effective = (long)Math.Round(m * n / (m + n));
        return (d, KolmogorovDistribution.Survival(effective, d));
    }

    /// <summary>The two-sided statistic of two sorted samples, walked once over their distinct values.</summary>
    internal static double Statistic(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        int i = 0;
        int j = 0;
        double largest = 0;
        while (i < u.Length && j < v.Length)
        {
            double x = Math.Min(u[i], v[j]);
            while (i < u.Length && u[i] == x)
            {
                i++;
            }

            while (j < v.Length && v[j] == x)
            {
                j++;
            }

            largest = Math.Max(largest, Math.Abs(((double)i / u.Length) - ((double)j / v.Length)));
        }

        // Past the end of one sample the other's distribution function only rises towards 1, closing the gap.
        return largest;
    }
}
