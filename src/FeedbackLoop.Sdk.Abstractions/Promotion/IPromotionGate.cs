namespace FeedbackLoop.Promotion;

/// <summary>Decides whether a candidate may replace the champion.</summary>
/// <remarks>Gates compose (all must pass); each gives its reasons so a rejection can be explained. Thread-safe if stateless.</remarks>
public interface IPromotionGate
{
    /// <summary>Evaluates the candidate.</summary>
    /// <param name="context">The candidate, the champion and the shared holdout.</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>Pass or fail, with reasons and the metrics compared.</returns>
    ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken);
}
