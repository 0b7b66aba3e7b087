using FeedbackLoop.Numerics;
using MathNet.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>
/// The two-sample Cramér-von Mises test (Anderson 1962) as scipy.stats.cramervonmises_2samp computes it with
/// <c>method="auto"</c> (scipy 1.10).
/// </summary>
/// <remarks>
/// <para>
/// With the ranks <c>r_i</c> of the reference values and <c>s_j</c> of the current values in the pooled sample (tied
/// values share their average rank), <c>U = n Σ (r_i - i)² + m Σ (s_j - j)²</c> and the statistic is
/// <c>T = U / (n m N) - (4 n m - 1) / (6 N)</c> (Anderson 1962, eq. 9 and 10). When neither sample has more than 20
/// values the p-value is exact, from the frequency tables of Xiao, Gordon and Yakovlev (2006), "A C++ program for the
/// Cramér-von Mises two-sample test", J. Stat. Softw. 17(8), Algorithm 1; otherwise <c>T</c> is standardised with
/// its exact mean and variance (Anderson 1962, eq. 11 and 14) and read from the limiting distribution of the
/// one-sample statistic (Csörgő and Faraway 1996, eq. 1.2, summed until a term is below 1e-7, as scipy does, in at most
/// 1,000 terms; from a standardised statistic of 1e5, where that function is 1 in double precision, the p-value is 0
/// without summing, where scipy's truncated series leaves a few 1e-6). The exact
/// tables assume no ties. Samples of fewer than 2 values give an insufficient-data result; equal constant samples
/// give <c>T</c> at its minimum and p-value 1. The default significance level is 0.05.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class CramerVonMisesTest : ITwoSampleTest, IHasSampleDomain
{
    private const int ExactMaximumSize = 20;

    /// <summary>The standardised statistic from which <see cref="LimitingCdf"/> is 1 without summing; below it the series needs at most about 670 terms.</summary>
    internal const double SeriesLimit = 1e5;

    /// <summary>The most terms <see cref="LimitingCdf"/> sums, a bound above the about 2 √x terms any x below <see cref="SeriesLimit"/> needs.</summary>
    internal const int MaximumTerms = 1_000;

    /// <summary>Initializes a new instance of the <see cref="CramerVonMisesTest"/> class.</summary>
    /// <param name="alpha">The significance level: drift when the p-value is below it. Defaults to 0.05.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public CramerVonMisesTest(double alpha = 0.05)
    {
        SampleChecks.RequireProbability(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <inheritdoc />
    /// <value><c>cramervonmises</c>.</value>
    public string Name => "cramervonmises";

    /// <summary>Gets the significance level.</summary>
    /// <value>0.05 by default.</value>
    public double Alpha { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedSortedTest(Name, SortedSamples.Prepare(reference), Alpha, TwoSampleDecision.PValueBelowThreshold, (r, c) => Test(r, c));

    private static (double T, double PValue) Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        long nx = x.Length;
        long ny = y.Length;

        // T is a small difference of two large terms, so the squared rank deviations are summed with compensation.
        var u = default(CompensatedSum);
        var uy = default(CompensatedSum);
        int i = 0;
        int j = 0;
        long rank = 0;
        while (i < x.Length || j < y.Length)
        {
            double value = i < x.Length && (j >= y.Length || x[i] <= y[j]) ? x[i] : y[j];
            int fromX = 0;
            while (i + fromX < x.Length && x[i + fromX] == value)
            {
                fromX++;
            }

            int fromY = 0;
            while (j + fromY < y.Length && y[j + fromY] == value)
            {
                fromY++;
            }

            double midrank = rank + ((fromX + fromY + 1) / 2.0);
            for (int t = 0; t < fromX; t++)
            {
                double d = midrank - (++i);
                u.Add(d * d);
            }

            for (int t = 0; t < fromY; t++)
            {
                double d = midrank - (++j);
                uy.Add(d * d);
            }

            rank += fromX + fromY;
        }

        double weighted = (nx * u.Value) + (ny * uy.Value);
        double k = nx * ny;
        double n = nx + ny;
        double statistic = (weighted / (k * n)) - (((4 * k) - 1) / (6 * n));
        if (Math.Max(nx, ny) <= ExactMaximumSize)
        {
            return (statistic, ExactPValue(weighted, (int)nx, (int)ny));
        }

        double expected = (1 + (1 / n)) / 6;
        double variance = (n + 1) * ((4 * k * n) - (3 * ((nx * nx) + (ny * ny))) - (2 * k)) / (45 * n * n * 4 * k);
        double standardised = (1.0 / 6) + ((statistic - expected) / Math.Sqrt(45 * variance));
        return (statistic, standardised < 0.003 ? 1.0 : Math.Max(0, 1 - LimitingCdf(standardised)));
    }

    /// <summary>Xiao, Gordon and Yakovlev (2006), Algorithm 1: the frequencies of the statistic over all arrangements, as scipy's <c>_pval_cvm_2samp_exact</c>.</summary>
    private static double ExactPValue(double u, int m, int n)
    {
        long lcm = m / (long)System.Numerics.BigInteger.GreatestCommonDivisor(m, n) * n;
        long a = lcm / m;
        long b = lcm / n;
        long mn = (long)m * n;
        double zeta = Math.Floor(lcm * lcm * (m + n) * ((6 * u) - (mn * ((4 * mn) - 1))) / (6.0 * mn * mn));
        var tables = new Dictionary<long, long>[m + 1];
        tables[0] = new Dictionary<long, long> { [0] = 1 };
        for (int v = 1; v <= m; v++)
        {
            tables[v] = [];
        }

        for (int uu = 0; uu <= n; uu++)
        {
            var next = new Dictionary<long, long>[m + 1];
            var running = new Dictionary<long, long>();
            for (int v = 0; v <= m; v++)
            {
                // g(u, v) = (g(u, v - 1) merged with g(u - 1, v)) shifted by (a v - b u)²: eq. 11 of Xiao et al.
                long step = ((a * v) - (b * uu)) * ((a * v) - (b * uu));
                var shifted = new Dictionary<long, long>(running.Count + tables[v].Count);
                foreach ((long value, long frequency) in running)
                {
                    shifted[value + step] = frequency;
                }

                foreach ((long value, long frequency) in tables[v])
                {
                    shifted[value + step] = shifted.GetValueOrDefault(value + step) + frequency;
                }

                running = shifted;
                next[v] = shifted;
            }

            tables = next;
        }

        double combinations = SpecialFunctions.Binomial(m + n, m);
        long atLeast = tables[m].Where(entry => entry.Key >= zeta).Sum(entry => entry.Value);
        return atLeast / combinations;
    }

    /// <summary>
    /// The limiting distribution function of the Cramér-von Mises statistic (Csörgő and Faraway 1996, eq. 1.2), summed
    /// as scipy's <c>_cdf_cvm_inf</c> sums it, with the number of terms bounded.
    /// </summary>
    /// <param name="x">The standardised statistic.</param>
    /// <returns>
    /// The distribution function at <paramref name="x"/>: NaN for NaN, 0 for <c>x ≤ 0</c> (the statistic is not
    /// negative), 1 from <see cref="SeriesLimit"/> on (positive infinity included).
    /// </returns>
    /// <remarks>
    /// Term <c>k</c> decays only once <c>(4k + 1)² / (16 x)</c> is large, so the series needs about <c>2 √x</c> terms
    /// before one falls below 1e-7. Summed without bounds it is slow for a large statistic, stops after one tiny term
    /// from about 1e28 (a distribution function near 0, so a p-value near 1 for an overwhelming drift), and never ends
    /// for NaN or infinity, whose terms are NaN (scipy's loop stops on those only because it continues while
    /// <c>|term| ≥ 1e-7</c>, which NaN fails; this loop uses the same test). From
    /// <see cref="SeriesLimit"/> on the function is 1 in double precision (its upper tail decays like
    /// <c>exp(-π² x / 2)</c>, from the largest eigenvalue 1/π² of the statistic's series representation) and the series
    /// is not summed; scipy's truncated sum would report a p-value of a few 1e-6 there, which is noise. Below it the
    /// series stops as scipy's does, well before <see cref="MaximumTerms"/>, so the results match scipy's.
    /// </remarks>
    internal static double LimitingCdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 0;
        }

        if (x >= SeriesLimit)
        {
            return 1;
        }

        double total = 0;
        for (int k = 0; k < MaximumTerms; k++)
        {
            double u = Math.Exp(SpecialFunctions.GammaLn(k + 0.5) - SpecialFunctions.GammaLn(k + 1)) / (Math.Pow(Math.PI, 1.5) * Math.Sqrt(x));
            double y = (4 * k) + 1;
            double q = y * y / (16 * x);
            double term = u * Math.Sqrt(y) * Math.Exp(-q) * SpecialFunctions.BesselK(0.25, q);
            total += term;
            if (!(Math.Abs(term) >= 1e-7))
            {
                break;
            }
        }

        return total;
    }
}
