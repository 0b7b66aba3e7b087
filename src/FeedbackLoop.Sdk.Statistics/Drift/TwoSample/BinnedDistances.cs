namespace FeedbackLoop.Drift;

/// <summary>The distance formulas of the binned tests, over reference proportions <c>p</c> and current proportions <c>q</c>.</summary>
internal static class BinnedDistances
{
    /// <summary>Population stability index: <c>Σ (q_i - p_i) ln(q_i / p_i)</c> (Siddiqi 2006, "Credit Risk Scorecards", ch. 8; Evidently's <c>psi</c>).</summary>
    public static double PopulationStability(double[] p, double[] q)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            sum += (q[i] - p[i]) * Math.Log(q[i] / p[i]);
        }

        return sum;
    }

    /// <summary>Kullback-Leibler divergence <c>KL(p || q) = Σ p_i ln(p_i / q_i)</c> after normalising both to sum 1 (scipy.stats.entropy(p, q), as Evidently's <c>kl_div</c> calls it).</summary>
    public static double KullbackLeibler(double[] p, double[] q)
    {
        double pTotal = Sum(p);
        double qTotal = Sum(q);
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double pi = p[i] / pTotal;
            if (pi > 0)
            {
                sum += pi * Math.Log(pi / (q[i] / qTotal));
            }
        }

        return sum;
    }

    /// <summary>
    /// Jensen-Shannon distance, the square root of <c>(KL(p || m) + KL(q || m)) / 2</c> with <c>m = (p + q) / 2</c>,
    /// divided by <c>ln(base)</c> under the root (scipy.spatial.distance.jensenshannon; Endres and Schindelin 2003).
    /// </summary>
    public static double JensenShannon(double[] p, double[] q, double logBase)
    {
        double pTotal = Sum(p);
        double qTotal = Sum(q);
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double pi = p[i] / pTotal;
            double qi = q[i] / qTotal;
            double m = 0.5 * (pi + qi);
            sum += RelativeEntropy(pi, m) + RelativeEntropy(qi, m);
        }

        return Math.Sqrt(Math.Max(0, sum / 2 / Math.Log(logBase)));
    }

    /// <summary>Hellinger distance <c>sqrt(Σ (√p_i - √q_i)² / 2)</c>, equal to <c>sqrt(1 - Σ √(p_i q_i))</c> without its cancellation (Hellinger 1909).</summary>
    public static double Hellinger(double[] p, double[] q)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double difference = Math.Sqrt(p[i]) - Math.Sqrt(q[i]);
            sum += difference * difference;
        }

        return Math.Sqrt(sum / 2);
    }

    /// <summary>Total variation distance <c>Σ |p_i - q_i| / 2</c>.</summary>
    public static double TotalVariation(double[] p, double[] q)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            sum += Math.Abs(p[i] - q[i]);
        }

        return sum / 2;
    }

    /// <summary>L-infinity distance <c>max |p_i - q_i|</c>.</summary>
    public static double LInfinity(double[] p, double[] q)
    {
        double maximum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            maximum = Math.Max(maximum, Math.Abs(p[i] - q[i]));
        }

        return maximum;
    }

    private static double RelativeEntropy(double x, double y) => x > 0 ? x * Math.Log(x / y) : 0;

    private static double Sum(double[] values)
    {
        double sum = 0;
        foreach (double value in values)
        {
            sum += value;
        }

        return sum;
    }
}
