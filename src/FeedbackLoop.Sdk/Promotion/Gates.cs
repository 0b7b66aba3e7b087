using System.Globalization;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Inference;

namespace FeedbackLoop.Promotion;

/// <summary>The built-in promotion gates. Compose them with <see cref="PromotionGateExtensions.And"/>.</summary>
/// <example><code>Gates.NoWorseThanChampion(Metric.RocAuc).And(Gates.AtLeast(Metric.Accuracy, 0.7))</code></example>
public static class Gates
{
    /// <summary>
    /// Passes when the candidate is no worse than the champion on the shared holdout for <paramref name="metric"/>
    /// (within <paramref name="tolerance"/>), or when there is no champion yet.
    /// </summary>
    /// <param name="metric">The primary metric.</param>
    /// <param name="tolerance">How much worse the candidate may be, in the metric's units. Default 0.</param>
    /// <returns>The gate.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is negative or not finite.</exception>
    public static IPromotionGate NoWorseThanChampion(Metric metric, double tolerance = 0.0)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!(tolerance >= 0.0 && double.IsFinite(tolerance)))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be finite and not negative.");
        }

        return new MetricGate(metric, (candidate, champion) =>
        {
            if (champion is not { } championValue)
            {
                return (true, Invariant($"{metric} {candidate:0.####}; no champion to compare with"));
            }

            var passed = metric.IsNoWorse(candidate, championValue, tolerance);
            return (passed, Invariant(
                $"{metric} candidate {candidate:0.####} vs champion {championValue:0.####} ({(passed ? "no worse" : "worse")}{(tolerance > 0 ? $" within tolerance {tolerance}" : string.Empty)})"));
        });
    }

    /// <summary>
    /// Passes when the candidate is significantly more accurate than the champion on the shared holdout, or when there is
    /// no champion yet: McNemar's exact one-sided test (<see cref="McNemarTest.ExactPValueGreater"/>) on the holdout cases
    /// exactly one of the two classifies right rejects "equally accurate" at level <paramref name="alpha"/>. A tie, or a
    /// lead the holdout cannot tell from chance, keeps the champion: a model trained on a few hundred labels that ties one
    /// trained on thousands on a small holdout, or a scheduled retrain that is better by noise, is not promoted. One
    /// exception: a candidate that continues the champion's concept on more labels
    /// (<see cref="GateContext.CandidateExtendsChampion"/>: both trained since the same drift, the candidate on more of its
    /// labels, or on as many newer ones while the change may still be moving) passes when it is right at least as often as the champion where they disagree; it is expected to be no
    /// worse, and a concept still moving after its drift makes the fresher model the better one.
    /// </summary>
    /// <param name="alpha">The significance level, in (0, 1). Default 0.1, the level docs/loop-effectiveness.md measured.</param>
    /// <returns>The gate; for classifiers (it reads <see cref="Metric.Accuracy"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public static IPromotionGate SignificantlyMoreAccurateThanChampion(double alpha = 0.1)
    {
        if (!(alpha > 0.0 && alpha < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The significance level must lie in (0, 1).");
        }

        return new McNemarGate(alpha);
    }

    /// <summary>Passes when the candidate reaches <paramref name="threshold"/> on <paramref name="metric"/> (at least, or at most for lower-is-better metrics).</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="threshold">The bound.</param>
    /// <returns>The gate.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not finite.</exception>
    public static IPromotionGate AtLeast(Metric metric, double threshold)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be finite.");
        }

        return new MetricGate(metric, (candidate, _) =>
        {
            var passed = metric.IsNoWorse(candidate, threshold, 0.0);
            return (passed, Invariant($"{metric} candidate {candidate:0.####} {(passed ? "meets" : "misses")} the bound {threshold:0.####}"));
        });
    }

    /// <summary>Passes only when every gate passes; all are evaluated so the result gives every reason.</summary>
    /// <param name="gates">At least one gate.</param>
    /// <returns>The composed gate.</returns>
    /// <exception cref="ArgumentException">No gate is given, or a gate is null.</exception>
    public static IPromotionGate All(params IPromotionGate[] gates)
    {
        ArgumentNullException.ThrowIfNull(gates);
        if (gates.Length == 0 || Array.Exists(gates, g => g is null))
        {
            throw new ArgumentException("Give at least one gate, and no null gate.", nameof(gates));
        }

        return new AllGates(gates);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class AllGates(IPromotionGate[] gates) : IPromotionGate, IReadsMetrics
    {
        public IReadOnlyList<Metric> Metrics { get; } = [.. gates.SelectMany(IReadsMetrics.Of)];

        public async ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
        {
            var passed = true;
            var reasons = new List<string>();
            var candidate = new Dictionary<string, double>(StringComparer.Ordinal);
            var champion = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var gate in gates)
            {
                var result = await gate.EvaluateAsync(context, cancellationToken).ConfigureAwait(false);
                passed &= result.Passed;
                reasons.AddRange(result.Reasons);
                Merge(candidate, result.CandidateMetrics);
                Merge(champion, result.ChampionMetrics);
            }

            return new GateResult(passed, reasons, candidate, champion);
        }

        private static void Merge(Dictionary<string, double> into, IReadOnlyDictionary<string, double> from)
        {
            foreach (var (name, value) in from)
            {
                into[name] = value;
            }
        }
    }
}
