namespace FeedbackLoop.Retraining;

/// <summary>Fluent composition of <see cref="IRetrainPolicy"/> instances.</summary>
public static class RetrainPolicyExtensions
{
    /// <summary>Retrains when this policy or <paramref name="other"/> says so.</summary>
    /// <param name="policy">This policy.</param>
    /// <param name="other">The other policy.</param>
    /// <returns>The any-of composition.</returns>
    public static IRetrainPolicy Or(this IRetrainPolicy policy, IRetrainPolicy other) => Retrain.AnyOf(policy, other);

    /// <summary>Retrains only when this policy and <paramref name="other"/> both say so.</summary>
    /// <param name="policy">This policy.</param>
    /// <param name="other">The other policy.</param>
    /// <returns>The all-of composition.</returns>
    public static IRetrainPolicy And(this IRetrainPolicy policy, IRetrainPolicy other) => Retrain.AllOf(policy, other);

    /// <summary>Prevents this policy from firing within <paramref name="cooldown"/> of the last training.</summary>
    /// <param name="policy">This policy.</param>
    /// <param name="cooldown">The minimum time between trainings.</param>
    /// <returns>The wrapped policy.</returns>
    public static IRetrainPolicy WithCooldown(this IRetrainPolicy policy, TimeSpan cooldown) => Retrain.WithCooldown(policy, cooldown);
}
