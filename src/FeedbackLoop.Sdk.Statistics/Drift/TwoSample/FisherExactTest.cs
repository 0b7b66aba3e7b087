using MathNet.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>
/// Fisher's exact test (Fisher 1922) for binary values, on the 2 × 2 table whose rows are the reference and current
/// samples and whose columns count ones and zeros, with the two-sided p-value of scipy.stats.fisher_exact (scipy 1.10).
/// </summary>
/// <remarks>
/// <para>
/// For the table <c>[[a, b], [c, d]]</c> (a = reference ones, b = reference zeros, c = current ones, d = current
/// zeros) the statistic is the sample odds ratio <c>a d / (b c)</c>, infinite when <c>b c = 0</c>, as scipy reports
/// it. Given the margins, <c>a</c> is hypergeometric; the two-sided p-value sums the probabilities of all tables no
/// more likely than the observed one, with scipy's relative tolerance of 1e-14 for "as likely", found by scipy's
/// bisection on the far side of the mode. When a whole row or column is 0 the test cannot distinguish anything: the
/// odds ratio is NaN and the p-value 1, as scipy. Probabilities are computed in log space, so large counts are
/// exact to rounding. Values must be exactly 0 or 1; samples of fewer than 2 values give an insufficient-data
/// result. The default significance level is 0.05.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class FisherExactTest : ITwoSampleTest, IHasSampleDomain
{
    private const double RelativeTolerance = 1e-14;

    /// <summary>Initializes a new instance of the <see cref="FisherExactTest"/> class.</summary>
    /// <param name="alpha">The significance level: drift when the p-value is below it. Defaults to 0.05.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public FisherExactTest(double alpha = 0.05)
    {
        SampleChecks.RequireProbability(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <inheritdoc />
    /// <value><c>fisher</c>.</value>
    public string Name => "fisher";

    /// <summary>Gets the significance level.</summary>
    /// <value>0.05 by default.</value>
    public double Alpha { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Binary;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedBinaryTest(Name, reference, Alpha, (r1, n1, c1, n2) => Test(r1, n1 - r1, c1, n2 - c1));

    /// <summary>The odds ratio and two-sided p-value of the table <c>[[a, b], [c, d]]</c>.</summary>
    internal static (double OddsRatio, double PValue) Test(long a, long b, long c, long d)
    {
        if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0)
        {
            return (double.NaN, 1.0);
        }

        double oddsRatio = c > 0 && b > 0 ? (double)a * d / ((double)c * b) : double.PositiveInfinity;
        var h = new Hypergeometric(a + b, c + d, a + c);
        long mode = (long)((double)(h.Draws + 1) * (h.Successes + 1) / (h.Population + 2));
        double exact = h.Probability(a);
        double atMode = h.Probability(mode);
        const double Gamma = 1 + RelativeTolerance;
        if (Math.Abs(exact - atMode) / Math.Max(exact, atMode) <= RelativeTolerance)
        {
            return (oddsRatio, 1.0);
        }

        double pValue;
        if (a < mode)
        {
            double lower = h.SumProbabilities(h.Lowest, a);
            if (h.Probability(h.Draws) > exact * Gamma)
            {
                return (oddsRatio, Math.Min(lower, 1.0));
            }

            long guess = BinarySearch(x => -h.Probability(x), -exact * Gamma, mode, h.Draws);
            pValue = lower + h.SumProbabilities(guess + 1, h.Highest);
        }
        else
        {
            double upper = h.SumProbabilities(a, h.Highest);
            if (h.Probability(0) > exact * Gamma)
            {
                return (oddsRatio, Math.Min(upper, 1.0));
            }

            long guess = BinarySearch(h.Probability, exact * Gamma, 0, mode);
            pValue = upper + h.SumProbabilities(h.Lowest, guess);
        }

        return (oddsRatio, Math.Min(pValue, 1.0));
    }

    /// <summary>scipy's implicit bisection: the <c>i</c> in [lo, hi] with <c>f(i) &lt;= target &lt; f(i + 1)</c> for an <c>f</c> ascending on the range.</summary>
    private static long BinarySearch(Func<long, double> f, double target, long lo, long hi)
    {
        while (lo < hi)
        {
            long middle = lo + ((hi - lo) / 2);
            double value = f(middle);
            if (value < target)
            {
                lo = middle + 1;
            }
            else if (value > target)
            {
                hi = middle - 1;
            }
            else
            {
                return middle;
            }
        }

        return f(lo) <= target ? lo : lo - 1;
    }

    /// <summary>
    /// The number of successes among <see cref="Draws"/> draws without replacement from <see cref="Successes"/>
    /// successes and <c>failures</c> failures; probabilities from log binomial coefficients.
    /// </summary>
    private readonly struct Hypergeometric(long successes, long failures, long draws)
    {
        public long Successes { get; } = successes;

        public long Population { get; } = successes + failures;

        public long Draws { get; } = draws;

        public long Lowest => Math.Max(0, Draws - (Population - Successes));

        public long Highest => Math.Min(Draws, Successes);

        public double Probability(long x) =>
            x < Lowest || x > Highest
                ? 0
                : Math.Exp(SpecialFunctions.BinomialLn((int)Successes, (int)x)
                    + SpecialFunctions.BinomialLn((int)(Population - Successes), (int)(Draws - x))
                    - SpecialFunctions.BinomialLn((int)Population, (int)Draws));

        public double SumProbabilities(long from, long to)
        {
            double sum = 0;
            for (long x = Math.Max(from, Lowest); x <= Math.Min(to, Highest); x++)
            {
                sum += Probability(x);
            }

            return sum;
        }
    }
}
