namespace FeedbackLoop.Retraining;

/// <summary>A policy's answer: retrain or not, with the reason in words.</summary>
/// <param name="ShouldRetrain">Whether to train a candidate now.</param>
/// <param name="Reason">Why, for the cycle report and the audit trail.</param>
public sealed record RetrainDecision(bool ShouldRetrain, string Reason)
{
    /// <summary>Creates a decision to retrain.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static RetrainDecision Retrain(string reason) => new(true, reason);

    /// <summary>Creates a decision not to retrain.</summary>
    /// <param name="reason">Why not.</param>
    /// <returns>The decision.</returns>
    public static RetrainDecision Skip(string reason) => new(false, reason);
}
