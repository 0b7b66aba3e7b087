namespace FeedbackLoop.Retraining;

/// <summary>Decides, once per cycle, whether the loop should train a new candidate model.</summary>
/// <remarks>
/// Policies should be pure functions of the <see cref="RetrainContext"/> so they compose
/// (any-of, all-of, cooldown) and can be tested without a clock. Thread-safe if stateless.
/// </remarks>
public interface IRetrainPolicy
{
    /// <summary>Evaluates the policy.</summary>
    /// <param name="context">What the loop has observed since the last training.</param>
    /// <returns>Whether to retrain, and why.</returns>
    RetrainDecision Evaluate(RetrainContext context);
}
