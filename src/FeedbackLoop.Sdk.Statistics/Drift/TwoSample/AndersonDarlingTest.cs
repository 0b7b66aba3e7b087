using MathNet.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>
/// The k-sample Anderson-Darling test of Scholz and Stephens (1987), "K-Sample Anderson-Darling Tests", JASA 82(399),
/// for the reference and current samples (k = 2), as scipy.stats.anderson_ksamp computes it with <c>midrank=True</c>.
/// </summary>
/// <remarks>
/// <para>
/// The statistic is the midrank form <c>A²_akN</c> for tied data (Scholz and Stephens, eq. 7), standardised as
/// <c>(A²_akN - (k - 1)) / σ_N</c> with the exact variance of their section 4. The p-value is scipy's: the standardised
/// statistic is compared with the critical values <c>b0 + b1 / √m + b2 / m</c> of their Table 2 at significance levels
/// 0.25, 0.1, 0.05, 0.025, 0.01, 0.005 and 0.001, and the logarithm of the level is interpolated by a least-squares
/// quadratic in the critical value. Like scipy, the p-value is therefore capped to [0.001, 0.25]: a statistic below the
/// smallest critical value reports 0.25 (the true p-value is larger) and one above the largest reports 0.001 (the true
/// p-value is smaller). Samples of fewer than 2 values, or a pooled sample with a single distinct value (scipy raises
/// an error), give an insufficient-data result. The default significance level is 0.05.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class AndersonDarlingTest : ITwoSampleTest, IHasSampleDomain
{
    private static readonly double[] B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    private static readonly double[] B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    private static readonly double[] B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    private static readonly double[] Levels = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

    // With two samples m = k - 1 = 1, so the critical values and their quadratic fit are constants.
    private static readonly double[] Critical = [.. B0.Select((b, i) => b + B1[i] + B2[i])];
    private static readonly double[] LogLevelFit = Fit.Polynomial(Critical, [.. Levels.Select(level => Math.Log(level))], 2);

    /// <summary>Initializes a new instance of the <see cref="AndersonDarlingTest"/> class.</summary>
    /// <param name="alpha">The significance level: drift when the p-value is below it. Defaults to 0.05.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public AndersonDarlingTest(double alpha = 0.05)
    {
        SampleChecks.RequireProbability(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <inheritdoc />
    /// <value><c>anderson_ksamp</c>.</value>
    public string Name => "anderson_ksamp";

    /// <summary>Gets the significance level.</summary>
    /// <value>0.05 by default.</value>
    public double Alpha { get; }

    /// <inheritdoc />
    SampleDomain IHasSampleDomain.Domain => SampleDomain.Values;

    /// <inheritdoc />
    public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) =>
        new PreparedSortedTest(
            Name,
            SortedSamples.Prepare(reference),
            Alpha,
            TwoSampleDecision.PValueBelowThreshold,
            (r, c) => Test(r, c),
            "every value of the pooled sample is the same; the Anderson-Darling test needs at least two distinct values");

    private static (double Statistic, double PValue)? Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        const int K = 2;
        double n1 = x.Length;
        double n2 = y.Length;
        double total = n1 + n2;
        double a2 = 0;
        int i = 0;
        int j = 0;
        long below = 0;
        int distinct = 0;
        while (i < x.Length || j < y.Length)
        {
            double value = i < x.Length && (j >= y.Length || x[i] <= y[j]) ? x[i] : y[j];
            int fromX = 0;
            while (i < x.Length && x[i] == value)
            {
                i++;
                fromX++;
            }

            int fromY = 0;
            while (j < y.Length && y[j] == value)
            {
                j++;
                fromY++;
            }

            // Scholz and Stephens (1987), eq. 7: l_j tied values at z*_j, B_j = #(Z < z*_j) + l_j / 2, and for each
            // sample M_ij = #(sample <= z*_j) - f_ij / 2.
            double l = fromX + fromY;
            double bj = below + (l / 2);
            double denominator = (bj * (total - bj)) - (total * l / 4);
            double mx = i - (fromX / 2.0);
            double my = j - (fromY / 2.0);
            a2 += l / total * ((total * mx) - (bj * n1)) * ((total * mx) - (bj * n1)) / denominator / n1;
            a2 += l / total * ((total * my) - (bj * n2)) * ((total * my) - (bj * n2)) / denominator / n2;
            below += (long)l;
            distinct++;
        }

        if (distinct < 2)
        {
            return null;
        }

        a2 *= (total - 1) / total;
        double g = 0;

        // scipy: hs_cs = cumulative sums of 1/(N-1), 1/(N-2), ..., 1/2; h = last + 1; g = Σ hs_cs / (2 .. N-1).
        double cumulative = 0;
        for (long s = (long)total - 1, index = 2; s >= 2; s--, index++)
        {
            cumulative += 1.0 / s;
            g += cumulative / index;
        }

        double h = cumulative + 1;
        double hSum = (1 / n1) + (1 / n2);
        double a = (((4 * g) - 6) * (K - 1)) + ((10 - (6 * g)) * hSum);
        double b = (((2 * g) - 4) * K * K) + (8 * h * K) + ((((2 * g) - (14 * h)) - 4) * hSum) - (8 * h) + (4 * g) - 6;
        double c = ((((6 * h) + (2 * g)) - 2) * K * K) + ((((4 * h) - (4 * g)) + 6) * K) + (((2 * h) - 6) * hSum) + (4 * h);
        double d = (((2 * h) + 6) * K * K) - (4 * h * K);
        double sigmaSquared = ((a * total * total * total) + (b * total * total) + (c * total) + d) / ((total - 1) * (total - 2) * (total - 3));
        double statistic = (a2 - (K - 1)) / Math.Sqrt(sigmaSquared);
        double p = statistic < Critical.Min() ? Levels.Max()
            : statistic > Critical.Max() ? Levels.Min()
            : Math.Exp(LogLevelFit[0] + (LogLevelFit[1] * statistic) + (LogLevelFit[2] * statistic * statistic));
        return (statistic, p);
    }
}
