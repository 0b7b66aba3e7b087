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
}
