namespace FeedbackLoop.Inference;

/// <summary>Adjusts the p-values of a family of tests so that one significance level can be applied to all of them.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class MultipleTesting
{
    /// <summary>Computes adjusted p-values: a test is significant at level α when its adjusted p-value is below α.</summary>
    /// <param name="pValues">The raw p-values, each in [0, 1].</param>
    /// <param name="correction">The correction.</param>
    /// <returns>
    /// The adjusted p-values in the order of <paramref name="pValues"/>. Bonferroni: <c>min(1, m p_i)</c> for
    /// <c>m</c> tests. Benjamini-Hochberg: with the p-values sorted ascending as <c>p_(1) &lt;= ... &lt;= p_(m)</c>,
    /// <c>q_(i) = min over j &gt;= i of min(1, m p_(j) / j)</c> (Benjamini and Hochberg 1995, "Controlling the false
    /// discovery rate", JRSS B 57(1), pp. 289-300, in the adjusted form of Yekutieli and Benjamini 1999); rejecting
    /// every <c>q_(i) &lt; α</c> rejects exactly the hypotheses of the original step-up procedure.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A p-value is NaN or outside [0, 1], or <paramref name="correction"/> is not defined.</exception>
    public static double[] Adjust(ReadOnlySpan<double> pValues, MultipleTestingCorrection correction)
    {
        for (int i = 0; i < pValues.Length; i++)
        {
            if (!(pValues[i] >= 0 && pValues[i] <= 1))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(pValues),
                    pValues[i],
                    $"The p-value at index {i} must be in [0, 1].");
            }
        }

        double m = pValues.Length;
        var adjusted = pValues.ToArray();
        switch (correction)
        {
            case MultipleTestingCorrection.None:
                break;
            case MultipleTestingCorrection.Bonferroni:
                for (int i = 0; i < adjusted.Length; i++)
                {
                    adjusted[i] = Math.Min(1.0, m * adjusted[i]);
                }

                break;
            case MultipleTestingCorrection.BenjaminiHochberg:
                int[] order = Enumerable.Range(0, adjusted.Length).ToArray();
                Array.Sort(pValues.ToArray(), order);
                double running = 1.0;
                for (int rank = order.Length; rank >= 1; rank--)
                {
                    int index = order[rank - 1];
                    running = Math.Min(running, m * pValues[index] / rank);
                    adjusted[index] = running;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(correction), correction, "The correction must be None, Bonferroni or BenjaminiHochberg.");
        }

        return adjusted;
    }
}
