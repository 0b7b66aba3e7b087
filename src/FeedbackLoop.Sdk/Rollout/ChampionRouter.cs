namespace FeedbackLoop.Rollout;

/// <summary>The default <see cref="IModelRouter"/>: every prediction is served by the champion.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class ChampionRouter : IModelRouter
{
    /// <summary>Gets the shared instance.</summary>
    public static ChampionRouter Instance { get; } = new();

    /// <inheritdoc />
    public ServingModel? Route(PredictionId id, FeatureVector features, ServingSet models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return models.Champion;
    }
}
