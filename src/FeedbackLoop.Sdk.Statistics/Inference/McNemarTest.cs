using MathNet.Numerics;

namespace FeedbackLoop.Inference;

/// <summary>
/// McNemar's test for two classifiers scored on the same cases (McNemar 1947, "Note on the sampling error of the
/// difference between correlated proportions or percentages", Psychometrika 12(2), pp. 153-157), in its exact form:
/// only the discordant cases count, and under the null hypothesis that both are equally accurate they split as
/// Binomial(b + c, 1/2), where b are the cases only the first classifier gets right and c those only the second does
/// (Dietterich 1998, "Approximate statistical tests for comparing supervised classification learning algorithms",
/// Neural Computation 10(7), recommends it for comparing two classifiers on one test set).
/// </summary>
/// <remarks>Stateless and thread-safe. The p-values equal scipy's <c>binomtest(b, b + c, 0.5)</c>.</remarks>
public static class McNemarTest
{
    /// <summary>The one-sided exact p-value that the first classifier is the more accurate: <c>P(X ≥ b)</c> for <c>X ~ Binomial(b + c, 1/2)</c>.</summary>
    /// <param name="firstOnly">The cases only the first classifier gets right (b).</param>
    /// <param name="secondOnly">The cases only the second classifier gets right (c).</param>
    /// <returns>The p-value; 1 when no case is discordant or <paramref name="firstOnly"/> is 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static double ExactPValueGreater(int firstOnly, int secondOnly)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstOnly);
        ArgumentOutOfRangeException.ThrowIfNegative(secondOnly);
        return UpperTail(firstOnly, firstOnly + secondOnly);
    }

    /// <summary>The two-sided exact p-value that the two classifiers differ in accuracy: twice the smaller tail, at most 1.</summary>
    /// <param name="firstOnly">The cases only the first classifier gets right (b).</param>
    /// <param name="secondOnly">The cases only the second classifier gets right (c).</param>
    /// <returns>The p-value; 1 when no case is discordant.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static double ExactPValue(int firstOnly, int secondOnly)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstOnly);
        ArgumentOutOfRangeException.ThrowIfNegative(secondOnly);
        var n = firstOnly + secondOnly;

        // The distribution is symmetric: P(X ≤ b) = P(X ≥ n − b).
        return Math.Min(1.0, 2.0 * Math.Min(UpperTail(firstOnly, n), UpperTail(n - firstOnly, n)));
    }

    /// <summary><c>P(X ≥ k)</c> for <c>X ~ Binomial(n, 1/2)</c>, as the regularized incomplete beta function <c>I_{1/2}(k, n − k + 1)</c>.</summary>
    private static double UpperTail(int k, int n) => k <= 0 ? 1.0 : SpecialFunctions.BetaRegularized(k, n - k + 1, 0.5);
}
