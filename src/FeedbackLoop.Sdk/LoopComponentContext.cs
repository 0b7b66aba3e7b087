using FeedbackLoop.Models;

namespace FeedbackLoop;

/// <summary>
/// What a factory given to <see cref="FeedbackLoopBuilder"/> (<c>UseStore</c>, <c>UseRegistry</c>, <c>UseStateStore</c>)
/// knows about the loop it creates a component for: a durable store keys its rows by the loop's name, checks its schema
/// and task, honours its options and stamps times with its clock.
/// </summary>
/// <param name="Services">The host's service provider (an empty one for a loop built without DI).</param>
/// <param name="LoopName">The loop's name (also its model's name in the registry).</param>
/// <param name="Schema">The loop's feature schema.</param>
/// <param name="Task">The loop's task.</param>
/// <param name="Options">The loop's validated options (the event store's settings are <see cref="FeedbackLoopOptions.Store"/>).</param>
/// <param name="Time">The loop's clock.</param>
public sealed record LoopComponentContext(
    IServiceProvider Services, string LoopName, FeatureSchema Schema, ModelTask Task, FeedbackLoopOptions Options, TimeProvider Time);
