using MathNet.Numerics;

namespace FeedbackLoop.Drift;

/// <summary>
/// The 2 × k contingency-table test of homogeneity behind <see cref="ChiSquareTest"/> and <see cref="GTest"/>, as
/// scipy.stats.chi2_contingency computes it with its defaults.
/// </summary>
internal sealed class ContingencyTest : IPreparedTwoSampleTest
{
    private readonly PreparedBins _bins;
    private readonly double _alpha;
    private readonly bool _logLikelihood;

    public ContingencyTest(string name, ReadOnlySpan<double> reference, double alpha, bool logLikelihood)
    {
        Name = name;
        _bins = DistributionBinning.Categories.Prepare(reference);
        _alpha = alpha;
        _logLikelihood = logLikelihood;
    }

    public string Name { get; }

    public long ReferenceCount => _bins.ReferenceCount;

    public TwoSampleResult Compare(ReadOnlySpan<double> current)
    {
        (long[] reference, long[] currentCounts) = _bins.Align(current);
        if (SampleChecks.TooSmall(ReferenceCount, current.Length) is { } reason)
        {
            return TwoSampleResult.Insufficient(Name, _alpha, TwoSampleDecision.PValueBelowThreshold, ReferenceCount, current.Length, reason);
        }

        (double statistic, double pValue) = Test(reference, currentCounts);
        return TwoSampleResult.Decide(Name, statistic, pValue, _alpha, TwoSampleDecision.PValueBelowThreshold, ReferenceCount, current.Length);
    }

    /// <summary>
    /// Pearson's chi-square (or the G statistic) on the table whose rows are the two samples and whose columns are
    /// the categories seen in either; a column empty in both is dropped (scipy refuses a zero expected count).
    /// Expected counts are <c>row total × column total / N</c>; with one degree of freedom each observed count is first
    /// moved up to 0.5 towards its expectation (Yates' continuity correction, scipy's default <c>correction=True</c>).
    /// Pearson: <c>Σ (O - E)² / E</c>; G (<c>lambda_="log-likelihood"</c>): <c>2 Σ O ln(O / E)</c>. The p-value is the
    /// upper tail of the chi-square distribution with <c>k - 1</c> degrees of freedom; a table of one category has
    /// none, and then, as scipy, the statistic is 0 and the p-value 1.
    /// </summary>
    private (double Statistic, double PValue) Test(long[] reference, long[] current)
    {
        var columns = new List<(long Reference, long Current)>(reference.Length);
        for (int i = 0; i < reference.Length; i++)
        {
            if (reference[i] + current[i] > 0)
            {
                columns.Add((reference[i], current[i]));
            }
        }

        int degreesOfFreedom = columns.Count - 1;
        if (degreesOfFreedom == 0)
        {
            return (0, 1);
        }

        double referenceTotal = ReferenceCount;
        double currentTotal = columns.Sum(c => c.Current);
        double total = referenceTotal + currentTotal;
        double statistic = 0;
        foreach ((long r, long c) in columns)
        {
            double columnTotal = r + c;
            statistic += Term(r, referenceTotal * columnTotal / total, degreesOfFreedom) + Term(c, currentTotal * columnTotal / total, degreesOfFreedom);
        }

        if (_logLikelihood)
        {
            statistic *= 2;
        }

        return (statistic, SpecialFunctions.GammaUpperRegularized(degreesOfFreedom / 2.0, statistic / 2));
    }

    private double Term(double observed, double expected, int degreesOfFreedom)
    {
        if (degreesOfFreedom == 1)
        {
            double difference = expected - observed;
            observed += Math.Sign(difference) * Math.Min(0.5, Math.Abs(difference));
        }

        if (!_logLikelihood)
        {
            double deviation = observed - expected;
            return deviation * deviation / expected;
        }

        return observed > 0 ? observed * Math.Log(observed / expected) : 0;
    }
}
