using System.Globalization;
using FeedbackLoop.Inference;

namespace FeedbackLoop.Evaluation.ErrorAnalysis;

/// <summary>
/// Automated slice discovery in the manner of SliceFinder (Chung, Kraska, Polyzotis, Tae and Whang, "Slice Finder:
/// Automated Data Slicing for Model Validation", ICDE 2019, and IEEE TKDE 2020): the interpretable subsets of the data —
/// one feature in a bin or equal to a category, or two such conditions together — where the model's loss is
/// significantly and substantially higher than on the rest.
/// </summary>
/// <remarks>
/// <para>
/// Numeric features are cut into quantile bins (<see cref="SliceFinderOptions.NumericBins"/>; a value's
/// bin is (lower, upper], the first bin closed); NaN is a "missing" slice of its own, as is a missing category. Every
/// single-condition slice with at least <see cref="SliceFinderOptions.MinimumSliceSize"/> examples is tested; then, as
/// in the paper's lattice search, the slices that are not already problematic (effect size and unadjusted p-value past
/// their thresholds) are crossed in pairs over different features, and the crossings large enough are tested too.
/// </para>
/// <para>
/// For a slice S and its complement S', the effect size is φ = (ψ(S) − ψ(S')) / sqrt((σ²(S) + σ²(S')) / 2), ψ the mean
/// loss and σ² the sample variance (the paper's section III), and the test is Welch's one-sided t-test of a higher mean
/// loss in S (<see cref="WelchTest"/>). The p-values of every slice tested are adjusted together with
/// Benjamini–Hochberg (the paper uses α-investing; the adjustment here controls the same false discovery rate over a
/// fixed family). A slice is reported when φ ≥ <see cref="SliceFinderOptions.MinimumEffectSize"/> and its adjusted
/// p-value ≤ <see cref="SliceFinderOptions.FalseDiscoveryRate"/>, the largest effects first (ties: larger slices first).
/// A slice whose loss and complement's loss are both constant has no test and is not reported.
/// </para>
/// </remarks>
public static class SliceFinder
{
    /// <summary>Finds the slices where the loss is higher.</summary>
    /// <param name="features">The examples' features, all with one schema.</param>
    /// <param name="losses">Each example's loss (for example its log loss, or 1 for an error and 0 otherwise); finite.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <returns>The problematic slices, ranked; empty when there are none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> or one of its vectors is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lengths differ, there are no examples, or the vectors have different schemas.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A loss is NaN or infinite, or an option is out of range.</exception>
    public static IReadOnlyList<Slice> Find(IReadOnlyList<FeatureVector> features, ReadOnlySpan<double> losses, SliceFinderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        options ??= new SliceFinderOptions();
        options.Validate();
        MetricArguments.RequireSameLength(losses.Length, nameof(losses), features.Count, nameof(features));
        MetricArguments.RequireNotEmpty(losses.Length, nameof(losses));
        for (int i = 0; i < losses.Length; i++)
        {
            MetricArguments.RequireFinite(losses[i], i, nameof(losses));
        }

        FeatureSchema schema = (features[0] ?? throw new ArgumentNullException(nameof(features), "features[0] is null.")).Schema;
        for (int i = 1; i < features.Count; i++)
        {
            if (features[i] is null || !schema.Equals(features[i].Schema))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"features[{i}] is null or has another schema than features[0]."), nameof(features));
            }
        }

        double[] loss = losses.ToArray();
        var tested = new List<Candidate>();
        var expandable = new List<Candidate>();
        foreach (Candidate single in BaseSlices(schema, features, options))
        {
            if (single.Size >= options.MinimumSliceSize && Test(single, loss) is { } result)
            {
                tested.Add(result);
                if (!(result.Effect >= options.MinimumEffectSize && result.Welch!.Value.PValue <= options.FalseDiscoveryRate))
                {
                    expandable.Add(result);
                }
            }
        }

        for (int a = 0; a < expandable.Count; a++)
        {
            for (int b = a + 1; b < expandable.Count; b++)
            {
                if (expandable[a].Conditions[0].Feature == expandable[b].Conditions[0].Feature)
                {
                    continue;
                }

                Candidate crossed = expandable[a].And(expandable[b]);
                if (crossed.Size >= options.MinimumSliceSize && Test(crossed, loss) is { } result)
                {
                    tested.Add(result);
                }
            }
        }

        double[] adjusted = MultipleTesting.Adjust(tested.Select(c => c.Welch!.Value.PValue).ToArray(), MultipleTestingCorrection.BenjaminiHochberg);
        return tested
            .Select((c, i) => new Slice(c.Conditions, c.Size, c.Mean, c.RestMean, c.Effect, c.Welch!.Value, adjusted[i]))
            .Where(s => s.EffectSize >= options.MinimumEffectSize && s.AdjustedPValue <= options.FalseDiscoveryRate)
            .OrderByDescending(s => s.EffectSize)
            .ThenByDescending(s => s.Size)
            .Take(options.MaximumSlices)
            .ToList();
    }

    /// <summary>The single-condition slices of every feature: quantile bins or categories, and a missing slice where values are missing.</summary>
    private static IEnumerable<Candidate> BaseSlices(FeatureSchema schema, IReadOnlyList<FeatureVector> features, SliceFinderOptions options)
    {
        int n = features.Count;
        foreach (FeatureDefinition feature in schema.Features)
        {
            if (feature.Kind == FeatureKind.Numeric)
            {
                double[] values = features.Select(f => f.Numeric[feature.Ordinal]).ToArray();
                double[] edges = QuantileEdges(values.Where(v => !double.IsNaN(v)).ToArray(), options.NumericBins);
                for (int bin = 0; bin + 1 < edges.Length; bin++)
                {
                    (double lower, double upper, bool first) = (edges[bin], edges[bin + 1], bin == 0);
                    yield return Candidate.Where(new SliceCondition(feature.Name, lower, upper, null, false), n, i => values[i] <= upper && (values[i] > lower || (first && values[i] >= lower)));
                }

                yield return Candidate.Where(new SliceCondition(feature.Name, null, null, null, true), n, i => double.IsNaN(values[i]));
            }
            else
            {
                string?[] values = features.Select(f => f.Categorical[feature.Ordinal]).ToArray();
                foreach (string? category in values.Distinct().Order(StringComparer.Ordinal))
                {
                    yield return Candidate.Where(new SliceCondition(feature.Name, null, null, category, category is null), n, i => values[i] == category);
                }
            }
        }
    }

    /// <summary>The distinct edges at the quantiles k / bins of the values (linear interpolation between order statistics).</summary>
    private static double[] QuantileEdges(double[] values, int bins)
    {
        if (values.Length == 0)
        {
            return [];
        }

        Array.Sort(values);
        var edges = new List<double>();
        for (int k = 0; k <= bins; k++)
        {
            double index = (values.Length - 1) * (double)k / bins;
            int below = (int)Math.Floor(index);
            int above = Math.Min(below + 1, values.Length - 1);
            double edge = values[below] + ((values[above] - values[below]) * (index - below));
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        return edges.Count == 1 ? [edges[0], edges[0]] : [.. edges];
    }

    /// <summary>Compares the slice's losses with the rest's (one pass, Welford's update for both).</summary>
    private static Candidate? Test(Candidate candidate, double[] loss)
    {
        (long n1, double mean1, double m1) = (0, 0, 0);
        (long n2, double mean2, double m2) = (0, 0, 0);
        for (int i = 0; i < loss.Length; i++)
        {
            double x = loss[i];
            if (candidate.Members[i])
            {
                n1++;
                double d = x - mean1;
                mean1 += d / n1;
                m1 += d * (x - mean1);
            }
            else
            {
                n2++;
                double d = x - mean2;
                mean2 += d / n2;
                m2 += d * (x - mean2);
            }
        }

        if (n1 < 2 || n2 < 2)
        {
            return null;
        }

        (double variance1, double variance2) = (m1 / (n1 - 1), m2 / (n2 - 1));
        WelchTest? welch = WelchTest.Greater(n1, mean1, variance1, n2, mean2, variance2);
        if (welch is null)
        {
            return null;
        }

        double effect = (mean1 - mean2) / Math.Sqrt((variance1 + variance2) / 2);
        return candidate with { Mean = mean1, RestMean = mean2, Effect = effect, Welch = welch };
    }

    /// <summary>A slice being considered: its conditions, members and, once tested, its statistics.</summary>
    private sealed record Candidate(IReadOnlyList<SliceCondition> Conditions, bool[] Members, int Size)
    {
        public double Mean { get; init; }

        public double RestMean { get; init; }

        public double Effect { get; init; }

        public WelchTest? Welch { get; init; }

        public static Candidate Where(SliceCondition condition, int n, Func<int, bool> member)
        {
            bool[] members = new bool[n];
            int size = 0;
            for (int i = 0; i < n; i++)
            {
                members[i] = member(i);
                size += members[i] ? 1 : 0;
            }

            return new Candidate([condition], members, size);
        }

        public Candidate And(Candidate other)
        {
            bool[] members = new bool[Members.Length];
            int size = 0;
            for (int i = 0; i < members.Length; i++)
            {
                members[i] = Members[i] && other.Members[i];
                size += members[i] ? 1 : 0;
            }

            return new Candidate([.. Conditions, .. other.Conditions], members, size);
        }
    }
}
