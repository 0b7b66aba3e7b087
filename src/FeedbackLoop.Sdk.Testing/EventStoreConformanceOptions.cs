namespace FeedbackLoop.Testing;

/// <summary>
/// What <see cref="EventStoreConformanceTests"/> asks of the store it creates for one test: the schema of the predictions,
/// the orphan TTL, the per-prediction feedback limit and the capacities the test relies on.
/// </summary>
/// <remarks>
/// Immutable once created. The suite creates one per test and hands it to
/// <see cref="EventStoreConformanceTests.CreateStoreAsync"/>; the derived class configures its store from it.
/// </remarks>
public sealed class EventStoreConformanceOptions
{
    /// <summary>Gets a schema of two required numeric features, <c>x1</c> and <c>x2</c>.</summary>
    public static FeatureSchema TwoNumericFeatures { get; } =
        FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x2").Build();

    /// <summary>Gets a schema of two required numeric features, <c>income</c> and <c>debt_ratio</c>, and a required categorical one, <c>region</c>.</summary>
    public static FeatureSchema NumericAndCategoricalFeatures { get; } =
        FeatureSchema.CreateBuilder().Numeric("income").Numeric("debt_ratio").Categorical("region").Build();

    /// <summary>Gets the schema every prediction of the test follows.</summary>
    /// <value>Default <see cref="TwoNumericFeatures"/>.</value>
    public FeatureSchema Schema { get; init; } = TwoNumericFeatures;

    /// <summary>Gets how long an orphan waits for its prediction, counted from when the loop received it (<see cref="Storage.LoopEvent.ReceivedAt"/>).</summary>
    /// <value>Default 1 hour.</value>
    public TimeSpan OrphanTimeToLive { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Gets how many feedback events one prediction may receive; the store rejects more, with a reason.</summary>
    /// <value>Default 16.</value>
    public int MaxFeedbackPerPrediction { get; init; } = 16;

    /// <summary>
    /// Gets how many predictions the store must keep at least: no test records more, so a store that evicts must not
    /// evict below it. A store without a capacity ignores it.
    /// </summary>
    /// <value>Default 1,000.</value>
    public int PredictionCapacity { get; init; } = 1_000;

    /// <summary>
    /// Gets how many orphans the store must let wait at least: no test leaves more waiting, so a store that bounds its
    /// orphans must not refuse or drop one below it. A store without a bound ignores it.
    /// </summary>
    /// <value>Default 100.</value>
    public int OrphanCapacity { get; init; } = 100;
}
