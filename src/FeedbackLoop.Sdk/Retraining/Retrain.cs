using FeedbackLoop.Evaluation;
using System.Globalization;
using FeedbackLoop.Drift;

namespace FeedbackLoop.Retraining;

/// <summary>
/// The built-in retrain policies. Compose them with <see cref="RetrainPolicyExtensions.Or"/>,
/// <see cref="RetrainPolicyExtensions.And"/> and <see cref="RetrainPolicyExtensions.WithCooldown"/>.
/// </summary>
/// <example><code>Retrain.OnDrift().Or(Retrain.EveryNewLabels(5_000)).WithCooldown(TimeSpan.FromHours(1))</code></example>
public static class Retrain
{
    /// <summary>Retrains when any monitor has raised <see cref="DriftState.Drift"/> since the last training (warnings do not count).</summary>
    /// <returns>The policy.</returns>
    public static IRetrainPolicy OnDrift() => new Policy(context =>
    {
        var drift = context.DriftSignals.FirstOrDefault(s => s.State == DriftState.Drift);
        return drift is null
            ? RetrainDecision.Skip("no drift signal")
            : RetrainDecision.Retrain(Invariant($"drift on {drift.Monitor} at observation {drift.Observation} ({drift.DetectedAt:O})"));
    });

    /// <summary>Retrains once <paramref name="count"/> new labels have been joined since the last training.</summary>
    /// <param name="count">The number of new labels; at least 1.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static IRetrainPolicy EveryNewLabels(long count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new Policy(context => context.LabelsSinceLastTraining >= count
            ? RetrainDecision.Retrain(Invariant($"{context.LabelsSinceLastTraining} new labels (threshold {count})"))
            : RetrainDecision.Skip(Invariant($"{context.LabelsSinceLastTraining} of {count} new labels")));
    }

    /// <summary>Retrains when <paramref name="interval"/> has passed since the last training (or since the loop started).</summary>
    /// <param name="interval">The schedule period; positive.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public static IRetrainPolicy Every(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new Policy(context =>
        {
            var due = (context.LastTrainedAt ?? context.LoopStartedAt) + interval;
            return context.Now >= due
                ? RetrainDecision.Retrain(Invariant($"scheduled every {interval} (due {due:O})"))
                : RetrainDecision.Skip(Invariant($"next scheduled training at {due:O}"));
        });
    }

    /// <summary>
    /// Retrains when a rolling metric is worse than a threshold in the metric's own direction: below it for a metric
    /// where higher is better (accuracy below 0.8), above it for one where lower is better (log loss above 0.5).
    /// </summary>
    /// <param name="metric">The metric, for example <see cref="Metric.Accuracy"/> or <see cref="Metric.LogLoss"/>; read from <see cref="RetrainContext.Metrics"/> by its name.</param>
    /// <param name="threshold">The worst acceptable value.</param>
    /// <returns>The policy; it skips while the metric is not yet available.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metric"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="threshold"/> is not finite.</exception>
    public static IRetrainPolicy WhenMetricWorseThan(Metric metric, double threshold)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentException("The threshold must be finite.", nameof(threshold));
        }

        var (worse, acceptable) = metric.HigherIsBetter ? ("below", "at or above") : ("above", "at or below");
        return new Policy([metric], context => !context.Metrics.TryGetValue(metric.Name, out var value)
            ? RetrainDecision.Skip(Invariant($"{metric.Name} not available yet"))
            : (metric.HigherIsBetter ? value < threshold : value > threshold)
                ? RetrainDecision.Retrain(Invariant($"{metric.Name} {value:0.####} {worse} {threshold:0.####}"))
                : RetrainDecision.Skip(Invariant($"{metric.Name} {value:0.####} {acceptable} {threshold:0.####}")));
    }

    /// <summary>Retrains when any of the policies says so (each is evaluated, so the reason lists every one that fired).</summary>
    /// <param name="policies">At least one policy.</param>
    /// <returns>The composed policy.</returns>
    /// <exception cref="ArgumentException">No policy is given.</exception>
    public static IRetrainPolicy AnyOf(params IRetrainPolicy[] policies) => Combine(policies, all: false);

    /// <summary>Retrains only when all the policies say so.</summary>
    /// <param name="policies">At least one policy.</param>
    /// <returns>The composed policy.</returns>
    /// <exception cref="ArgumentException">No policy is given.</exception>
    public static IRetrainPolicy AllOf(params IRetrainPolicy[] policies) => Combine(policies, all: true);

    /// <summary>Wraps a policy so that it cannot fire within <paramref name="cooldown"/> of the last training.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="cooldown">The minimum time between trainings; positive.</param>
    /// <returns>The wrapped policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cooldown"/> is not positive.</exception>
    public static IRetrainPolicy WithCooldown(IRetrainPolicy policy, TimeSpan cooldown)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(cooldown, TimeSpan.Zero);
        return new Policy(IReadsMetrics.Of(policy), context =>
        {
            if (context.LastTrainedAt is { } last && context.Now < last + cooldown)
            {
                return RetrainDecision.Skip(Invariant($"cooldown until {last + cooldown:O}"));
            }

            return policy.Evaluate(context);
        });
    }

    private static Policy Combine(IRetrainPolicy[] policies, bool all)
    {
        ArgumentNullException.ThrowIfNull(policies);
        if (policies.Length == 0 || Array.Exists(policies, p => p is null))
        {
            throw new ArgumentException("Give at least one policy, and no null policy.", nameof(policies));
        }

        return new Policy([.. policies.SelectMany(IReadsMetrics.Of)], context =>
        {
            var decisions = Array.ConvertAll(policies, p => p.Evaluate(context));
            var fire = all ? Array.TrueForAll(decisions, d => d.ShouldRetrain) : Array.Exists(decisions, d => d.ShouldRetrain);
            var reasons = decisions.Where(d => d.ShouldRetrain == fire).Select(d => d.Reason);
            return new RetrainDecision(fire, string.Join(all == fire ? " and " : "; ", reasons));
        });
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class Policy(IReadOnlyList<Metric> metrics, Func<RetrainContext, RetrainDecision> evaluate) : IRetrainPolicy, IReadsMetrics
    {
        public Policy(Func<RetrainContext, RetrainDecision> evaluate)
            : this([], evaluate)
        {
        }

        public IReadOnlyList<Metric> Metrics => metrics;

        public RetrainDecision Evaluate(RetrainContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return evaluate(context);
        }
    }
}
