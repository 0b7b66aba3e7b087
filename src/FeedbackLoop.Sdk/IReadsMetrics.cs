using FeedbackLoop.Evaluation;

namespace FeedbackLoop;

/// <summary>
/// A built-in gate or retrain policy that names the metrics it reads, so that building a loop refuses one whose metric
/// does not measure the loop's task (a gate) or is not among its rolling metrics (a policy) instead of never firing.
/// </summary>
internal interface IReadsMetrics
{
    /// <summary>Gets the metrics read, those of composed gates or policies included.</summary>
    IReadOnlyList<Metric> Metrics { get; }

    /// <summary>Gets the metrics a gate or policy reads: none for one of the host's own, which the loop cannot see into.</summary>
    /// <param name="component">The gate or policy.</param>
    /// <returns>The metrics.</returns>
    static IReadOnlyList<Metric> Of(object? component) => component is IReadsMetrics reads ? reads.Metrics : [];
}
