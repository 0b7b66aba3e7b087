using FeedbackLoop.Numerics;

namespace FeedbackLoop.Learning;

/// <summary>
/// Fits how one numeric feature is encoded: the winsorising fences, then the mean and population standard deviation of
/// the winsorised values, all without overflow for any finite input.
/// </summary>
/// <remarks>
/// <para>
/// Fences. With Q1 and Q3 the quartiles (Hyndman and Fan 1996, "Sample quantiles in statistical packages", The American
/// Statistician 50(4), definition 7, the default of R and numpy) and S = Q3 - Q1, the fences are [Q1 - k·S, Q3 + k·S]
/// with k = <see cref="FenceMultiplier"/>: Tukey's fences (Exploratory Data Analysis, 1977), which call a value beyond
/// k = 3 "far out", widened so far that ordinary data are never touched. For a Gaussian feature the fences lie 14.2
/// standard deviations from the mean; for an exponential one a value is beyond them with probability 3⁻¹⁰/4 ≈ 4·10⁻⁶.
/// Only a heavier tail (log-normal, Pareto) loses its farthest values, which for a linear model on standardised features
/// is also the usual remedy for their leverage. The quartiles do not move when up to a quarter of the rows on either
/// side are replaced by arbitrary values, so a few gross errors (1e300 typed for 1.5) are winsorised to fences that the
/// ordinary rows place, and count in the mean and standard deviation as values ten interquartile ranges out, not as
/// 1e300.
/// </para>
/// <para>
/// If the quartiles coincide (more than half the rows share one value m, as with an indicator or a sparse count),
/// S is instead the median of |x - m| over the rows that differ from m, so a 0/1 feature with a few percent of ones
/// keeps them; that holds while extreme rows are fewer than half of those differing rows. If no row differs (a
/// constant feature), or S overflows, there is no fence: the fences are -∞ and +∞.
/// </para>
/// <para>
/// Moments. The values are scaled by 2⁻ᵉ, where 2ᵉ ≤ max |x| &lt; 2ᵉ⁺¹, which is exact for all but subnormal
/// results, so no sum or square can overflow; the mean is their compensated sum over n, and the variance the corrected
/// two-pass formula (Σ d² - (Σ d)²/n) / n with d = x - mean (Chan, Golub and LeVeque 1983, "Algorithms for computing
/// the sample variance", The American Statistician 37(3), eq. 1.7). Without extreme values the results are those of
/// the same formula unscaled: scaling by a power of two changes no rounding.
/// </para>
/// </remarks>
internal static class NumericFeatureScaling
{
    /// <summary>The multiple of the interquartile range between a quartile and its fence (Tukey's far-out fences use 3).</summary>
    internal const double FenceMultiplier = 10.0;

    /// <summary>
    /// Fits the fences of a feature from its observed (non-missing, finite) training values and winsorises them in place.
    /// </summary>
    /// <param name="values">The observed values; on return, each is clipped to the fences.</param>
    /// <param name="winsorised">The number of values that lay beyond a fence.</param>
    /// <returns>The fences; -∞ and +∞ when there is none.</returns>
    public static (double Lower, double Upper) FitFencesAndWinsorise(Span<double> values, out int winsorised)
    {
        winsorised = 0;
        if (values.IsEmpty)
        {
            return (double.NegativeInfinity, double.PositiveInfinity);
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var q1 = Quantile(sorted, 0.25);
        var q3 = Quantile(sorted, 0.75);
        var spread = q3 - q1;
        if (spread == 0.0)
        {
            spread = MedianDistanceOfOthers(sorted, q1);
        }

        if (!(spread > 0.0) || double.IsInfinity(spread))
        {
            return (double.NegativeInfinity, double.PositiveInfinity);
        }

        // k·S may overflow, and so may the fence; an infinite fence is no fence on that side.
        var lower = q1 - (FenceMultiplier * spread);
        var upper = q3 + (FenceMultiplier * spread);
        for (var i = 0; i < values.Length; i++)
        {
            var x = values[i];
            if (x < lower || x > upper)
            {
                values[i] = Math.Clamp(x, lower, upper);
                winsorised++;
            }
        }

        return (lower, upper);
    }

    /// <summary>The mean and population standard deviation (ddof = 0) of finite values, computed without overflow.</summary>
    /// <returns>(0, 0) for no values; otherwise a finite mean and a finite, non-negative standard deviation.</returns>
    public static (double Mean, double StandardDeviation) MeanAndStandardDeviation(ReadOnlySpan<double> values)
    {
        var largest = 0.0;
        foreach (var x in values)
        {
            largest = Math.Max(largest, Math.Abs(x));
        }

        if (largest == 0.0)
        {
            return (0.0, 0.0);
        }

        // Scaling by a power of two is exact, so every scaled value lies in (-2, 2) and nothing below can overflow.
        var exponent = Math.ILogB(largest);
        var sum = default(CompensatedSum);
        foreach (var x in values)
        {
            sum.Add(Math.ScaleB(x, -exponent));
        }

        var n = values.Length;
        var mean = sum.Value / n;
        var squares = default(CompensatedSum);
        var deviations = default(CompensatedSum);
        foreach (var x in values)
        {
            var d = Math.ScaleB(x, -exponent) - mean;
            squares.Add(d * d);
            deviations.Add(d);
        }

        var correction = deviations.Value;
        var variance = Math.Max(0.0, (squares.Value - (correction * correction / n)) / n);

        // The population standard deviation is at most max |x| (Popoviciu's inequality); only rounding could push it
        // past double.MaxValue when max |x| is within an ulp of it.
        return (Math.ScaleB(mean, exponent), Math.Min(Math.ScaleB(Math.Sqrt(variance), exponent), double.MaxValue));
    }

    /// <summary>Definition 7 of Hyndman and Fan (1996) on sorted values, interpolated as a convex combination so it cannot overflow.</summary>
    private static double Quantile(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var i = (int)Math.Floor(h);
        var g = h - i;
        if (g == 0.0 || i + 1 >= sorted.Length)
        {
            return sorted[i];
        }

        var a = sorted[i];
        var b = sorted[i + 1];
        return Math.Clamp(((1.0 - g) * a) + (g * b), a, b);
    }

    /// <summary>The median of |x - m| over the values x ≠ m, or 0 when every value is m.</summary>
    private static double MedianDistanceOfOthers(double[] sorted, double m)
    {
        var distances = new List<double>();
        foreach (var x in sorted)
        {
            if (x != m)
            {
                distances.Add(Math.Abs(x - m));
            }
        }

        if (distances.Count == 0)
        {
            return 0.0;
        }

        var ordered = distances.ToArray();
        Array.Sort(ordered);
        return Quantile(ordered, 0.5);
    }
}
