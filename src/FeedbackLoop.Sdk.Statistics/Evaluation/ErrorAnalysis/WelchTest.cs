using MathNet.Numerics.Distributions;

namespace FeedbackLoop.Evaluation.ErrorAnalysis;

/// <summary>
/// Welch's unequal-variances t-test (Welch 1947, "The generalization of 'Student's' problem when several different
/// population variances are involved", Biometrika 34), one-sided: is the first mean greater than the second? As scipy's
/// <c>ttest_ind(a, b, equal_var=False, alternative="greater")</c>.
/// </summary>
/// <param name="Statistic">t = (m1 − m2) / sqrt(v1/n1 + v2/n2), with sample variances (n − 1 denominators).</param>
/// <param name="DegreesOfFreedom">The Welch–Satterthwaite degrees of freedom.</param>
/// <param name="PValue">P(T ≥ t) under Student's t with those degrees of freedom.</param>
public readonly record struct WelchTest(double Statistic, double DegreesOfFreedom, double PValue)
{
    /// <summary>Runs the test from the two samples' sizes, means and sample variances.</summary>
    /// <param name="count1">The first sample's size, at least 2.</param>
    /// <param name="mean1">The first sample's mean.</param>
    /// <param name="variance1">The first sample's variance (n − 1 denominator).</param>
    /// <param name="count2">The second sample's size, at least 2.</param>
    /// <param name="mean2">The second sample's mean.</param>
    /// <param name="variance2">The second sample's variance.</param>
    /// <returns>The test, or <see langword="null"/> when both variances are 0 (the statistic is undefined).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A sample has fewer than 2 values, or a variance is negative or not finite.</exception>
    public static WelchTest? Greater(long count1, double mean1, double variance1, long count2, double mean2, double variance2)
    {
        if (count1 < 2 || count2 < 2)
        {
            throw new ArgumentOutOfRangeException(count1 < 2 ? nameof(count1) : nameof(count2), "Each sample needs at least 2 values.");
        }

        if (!(variance1 >= 0) || !(variance2 >= 0) || double.IsInfinity(variance1) || double.IsInfinity(variance2))
        {
            throw new ArgumentOutOfRangeException(variance1 >= 0 ? nameof(variance2) : nameof(variance1), "Variances must be finite and non-negative.");
        }

        double a = variance1 / count1;
        double b = variance2 / count2;
        if (a + b == 0)
        {
            return null;
        }

        double t = (mean1 - mean2) / Math.Sqrt(a + b);
        double df = (a + b) * (a + b) / ((a * a / (count1 - 1)) + (b * b / (count2 - 1)));

        // The upper tail as the lower tail of −t, which keeps small p-values accurate.
        double p = StudentT.CDF(0, 1, df, -t);
        return new WelchTest(t, df, p);
    }
}
