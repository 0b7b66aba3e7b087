namespace FeedbackLoop.Promotion;

/// <summary>Fluent composition of <see cref="IPromotionGate"/> instances.</summary>
public static class PromotionGateExtensions
{
    /// <summary>Passes only when this gate and <paramref name="other"/> both pass.</summary>
    /// <param name="gate">This gate.</param>
    /// <param name="other">The other gate.</param>
    /// <returns>The composed gate.</returns>
    public static IPromotionGate And(this IPromotionGate gate, IPromotionGate other) => Gates.All(gate, other);
}
