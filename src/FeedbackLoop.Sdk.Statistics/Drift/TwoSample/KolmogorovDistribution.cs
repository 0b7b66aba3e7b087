using FeedbackLoop.Numerics;
using MathNet.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>
/// P-values of the two-sided Kolmogorov-Smirnov statistic, computed by the methods scipy 1.10 chooses: exact lattice
/// path counts for the two-sample statistic (Hodges 1958; Viehmann 2021), and the one-sample distribution of
/// <c>D_n</c> (scipy's <c>kstwo</c>, Simard and L'Ecuyer 2011) for the asymptotic two-sample p-value.
/// </summary>
internal static class KolmogorovDistribution
{
    private const double SqrtTwoPi = 2.5066282746310002;
    private const double PiSquared = Math.PI * Math.PI;
    private const double PiFour = PiSquared * PiSquared;
    private const double PiSix = PiFour * PiSquared;

    // scipy rescales the Durbin matrix powers by 2^128 to stay in range.
    private static readonly double TwoTo128 = Math.ScaleB(1.0, 128);
    private static readonly double TwoToMinus128 = Math.ScaleB(1.0, -128);

    /// <summary>
    /// Pr(D ≥ h / n) for two samples of equal size n (scipy's <c>_compute_prob_outside_square</c>): the alternating
    /// reflection sum <c>2 Σ_k (-1)^(k+1) C(2n, n - k h) / C(2n, n)</c> evaluated as a Horner-like product to avoid
    /// cancellation.
    /// </summary>
    public static double OutsideSquare(long n, long h)
    {
        double p = 0;
        for (long k = n / h; k >= 0; k--)
        {
            double term = 1.0;
            for (long j = 0; j < h; j++)
            {
                term = (n - (k * h) - j) * term / (n + (k * h) + j + 1);
            }

            p = term * (1.0 - p);
        }

        return 2 * p;
    }

    /// <summary>
    /// Pr(D ≥ h / lcm(m, n)) for samples of sizes m and n with greatest common divisor g: the share of lattice paths
    /// from (0, 0) to (m, n) that leave the band |x / m - y / n| &lt; h / lcm, computed column by column as 1 minus
    /// the inside share (Viehmann 2021, arXiv:2102.08037; scipy's <c>_compute_outer_prob_inside_method</c>).
    /// </summary>
    public static double OutsideBand(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        long mg = m / g;
        long ng = n / g;
        long minj = 0;
        long maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        long currentLength = maxj - minj;
        var a = new double[Math.Min((2 * maxj) + 2, n + 1)];
        Array.Fill(a, 1.0);
        Array.Fill(a, 0.0, (int)minj, (int)(maxj - minj));
        for (long i = 1; i <= m; i++)
        {
            long lastMinj = minj;
            long lastLength = currentLength;
            minj = Math.Min(Math.Max((long)Math.Floor((double)((ng * i) - h) / mg) + 1, 0), n);
            maxj = Math.Min((long)Math.Ceiling((double)((ng * i) + h) / mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            double value = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                long j = jj + minj;
                value = ((a[jj + minj - lastMinj] * i) + (value * j)) / (i + j);
                a[jj] = value;
            }

            currentLength = maxj - minj;
            if (lastLength > currentLength)
            {
                Array.Fill(a, 1.0, (int)(maxj - minj), (int)(lastLength - currentLength));
            }
        }

        return a[maxj - minj - 1];
    }

    /// <summary>
    /// The survival function Pr(D_n ≥ x) of the one-sample two-sided statistic, choosing among the methods of
    /// Simard and L'Ecuyer (2011) at scipy's cut-offs (scipy.stats._ksstats._kolmogn): the Ruben-Gambino closed forms
    /// at the ends, twice the one-sided Smirnov tail (Miller's approximation) for large <c>n x²</c>, the exact Durbin
    /// matrix (Marsaglia, Tsang and Wang 2003) for small <c>n x^1.5</c>, and the Pelz-Good expansion otherwise. Where
    /// scipy uses Pomeranz's exact recursion this uses the Durbin matrix, which computes the same exact probability.
    /// </summary>
    public static double Survival(long n, double x)
    {
        if (x >= 1.0)
        {
            return 0.0;
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        double t = n * x;
        if (t <= 1.0)
        {
            if (t <= 0.5)
            {
                return 1.0;
            }

            double logProbability = (SpecialFunctions.FactorialLn((int)n) - (n * Math.Log(n))) + (n * Math.Log((2 * t) - 1));
            return Clip(1.0 - Math.Exp(logProbability));
        }

        if (t >= n - 1)
        {
            return Clip(2 * Math.Pow(1.0 - x, n));
        }

        if (x >= 0.5)
        {
            return Clip(2 * SmirnovSurvival(n, x));
        }

        double nxSquared = t * x;
        if (n <= 140)
        {
            return nxSquared <= 4 ? Clip(1.0 - DurbinCdf(n, x)) : Clip(2 * SmirnovSurvival(n, x));
        }

        if (nxSquared >= 370.0)
        {
            return 0.0;
        }

        if (nxSquared >= 2.2)
        {
            return Clip(2 * SmirnovSurvival(n, x));
        }

        double cdf = nxSquared >= 18.0 ? 1.0
            : n <= 100_000 && n * Math.Pow(x, 1.5) <= 1.4 ? DurbinCdf(n, x)
            : PelzGoodCdf(n, x);
        return Clip(1.0 - cdf);
    }

    /// <summary>
    /// The one-sided Smirnov tail Pr(D_n⁺ ≥ x) by the Birnbaum-Tingey (1951) sum
    /// <c>x Σ_(j=0)^(⌊n(1-x)⌋) C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1)</c>, whose terms are all positive; each term
    /// is computed in log space.
    /// </summary>
    internal static double SmirnovSurvival(long n, double x)
    {
        long last = (long)Math.Floor(n * (1 - x));
        double logX = Math.Log(x);
        double logFactorialN = SpecialFunctions.FactorialLn((int)n);
        var sum = default(CompensatedSum);
        for (long j = 0; j <= last; j++)
        {
            double a = 1 - x - ((double)j / n);
            double b = x + ((double)j / n);
            if (a <= 0)
            {
                break;
            }

            double logTerm = logFactorialN - SpecialFunctions.FactorialLn((int)j) - SpecialFunctions.FactorialLn((int)(n - j))
                + ((n - j) * Math.Log(a)) + ((j - 1) * Math.Log(b)) + logX;
            sum.Add(Math.Exp(logTerm));
        }

        return sum.Value;
    }

    /// <summary>Pr(D_n &lt;= d) by the Durbin matrix of Marsaglia, Tsang and Wang (2003), with power-of-two rescaling.</summary>
    private static double DurbinCdf(long n, double d)
    {
        double nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        int k = (int)Math.Ceiling(nd);
        double h = k - nd;
        int m = (2 * k) - 1;
        var matrix = new double[m, m];
        var v = new double[m];
        var w = new double[m];
        double factorial = 1.0;
        for (int j = 1; j <= m; j++)
        {
            w[j - 1] = factorial;
            factorial /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * factorial;
        }

        double tail = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tail) * factorial;
        for (int i = 1; i < m; i++)
        {
            for (int r = i - 1; r < m; r++)
            {
                matrix[r, i] = w[r - i + 1];
            }
        }

        for (int r = 0; r < m; r++)
        {
            matrix[r, 0] = v[r];
            matrix[m - 1, r] = v[m - 1 - r];
        }

        double[,] power = Identity(m);
        long exponent = 0;
        long matrixExponent = 0;
        for (long remaining = n; remaining > 0; remaining /= 2)
        {
            if (remaining % 2 == 1)
            {
                power = Multiply(power, matrix);
                exponent += matrixExponent;
            }

            matrix = Multiply(matrix, matrix);
            matrixExponent *= 2;
            if (Math.Abs(matrix[k - 1, k - 1]) > TwoTo128)
            {
                Scale(matrix, TwoToMinus128);
                matrixExponent += 128;
            }
        }

        double p = power[k - 1, k - 1];
        for (long i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < TwoToMinus128)
            {
                p *= TwoTo128;
                exponent -= 128;
            }
        }

        return Clip(Math.ScaleB(p, (int)exponent));
    }

    /// <summary>The Pelz-Good (1976) expansion of Pr(D_n &lt;= x) in powers of n^(-1/2), with scipy's Horner evaluation of its theta-function sums.</summary>
    private static double PelzGoodCdf(long n, double x)
    {
        double z = Math.Sqrt(n) * x;
        double z2 = z * z;
        double z3 = z2 * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;
        double qLog = -PiSquared / 8 / z2;
        if (qLog < -708)
        {
            return 0.0;
        }

        double q = Math.Exp(qLog);
        double k1a = -z2;
        double k1b = PiSquared / 4;
        double k2a = (6 * z6) + (2 * z4);
        double k2b = ((2 * z4) - (5 * z2)) * PiSquared / 4;
        double k2c = PiFour * (1 - (2 * z2)) / 16;
        double k3d = PiSix * (5 - (30 * z2)) / 64;
        double k3c = PiFour * ((-60 * z2) + (212 * z4)) / 16;
        double k3b = PiSquared * ((135 * z4) - (96 * z6)) / 4;
        double k3a = (-30 * z6) - (90 * Math.Pow(z, 8));
        Span<double> sums = stackalloc double[4];
        int maxK = (int)Math.Ceiling(16 * z / Math.PI);
        for (int k = maxK; k > 0; k--)
        {
            double m = (2 * k) - 1;
            double m2 = m * m;
            double m4 = m2 * m2;
            double m6 = m4 * m2;
            double qPower = Math.Pow(q, 8 * k);
            sums[0] = (sums[0] * qPower) + 1.0;
            sums[1] = (sums[1] * qPower) + (k1a + (k1b * m2));
            sums[2] = (sums[2] * qPower) + (k2a + (k2b * m2) + (k2c * m4));
            sums[3] = (sums[3] * qPower) + (k3a + (k3b * m2) + (k3c * m4) + (k3d * m6));
        }

        sums[0] *= q * SqrtTwoPi / z;
        sums[1] *= q * SqrtTwoPi / (6 * z4);
        sums[2] *= q * SqrtTwoPi / (72 * Math.Pow(z, 7));
        sums[3] *= q * SqrtTwoPi / (6480 * Math.Pow(z, 10));

        double q2 = Math.Exp(-PiSquared / 2 / z2);
        double sqrt3z = Math.Sqrt(3) * z;
        double k2Extra = 0;
        double k3Extra = 0;
        for (int k = maxK; k > 0; k--)
        {
            double k2 = (double)k * k;
            double qPower = Math.Pow(q2, k2);
            double kPi = Math.PI * k;
            k2Extra += k2 * qPower;
            k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * k2 * qPower;
        }

        sums[2] += k2Extra * PiSquared * SqrtTwoPi / (-36 * z3);
        sums[3] += k3Extra * PiSquared * SqrtTwoPi / (216 * z6);
        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            total += sums[i] / Math.Pow(n, i / 2.0);
        }

        return total;
    }

    private static double Clip(double p) => Math.Clamp(p, 0.0, 1.0);

    private static double[,] Identity(int m)
    {
        var identity = new double[m, m];
        for (int i = 0; i < m; i++)
        {
            identity[i, i] = 1.0;
        }

        return identity;
    }

    private static double[,] Multiply(double[,] left, double[,] right)
    {
        int m = left.GetLength(0);
        var product = new double[m, m];
        for (int i = 0; i < m; i++)
        {
            for (int k = 0; k < m; k++)
            {
                double factor = left[i, k];
                if (factor == 0)
                {
                    continue;
                }

                for (int j = 0; j < m; j++)
                {
                    product[i, j] += factor * right[k, j];
                }
            }
        }

        return product;
    }

    private static void Scale(double[,] matrix, double factor)
    {
        int m = matrix.GetLength(0);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < m; j++)
            {
                matrix[i, j] *= factor;
            }
        }
    }
}
