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
    IServiceProvider Services, string LoopName, FeatureSchema Schema, ModelTask Task, FeedbackLoopOptions Options, TimeProvider Time)
{
    private readonly List<object> _owned = [];

    /// <summary>Gets the components the loop disposes when it is disposed (see <see cref="Own{T}"/>).</summary>
    internal IReadOnlyList<object> Owned => _owned;

    /// <summary>
    /// Hands a component created for this loop alone to the loop: the loop disposes it (<see cref="IAsyncDisposable"/> or
    /// <see cref="IDisposable"/>) after its own disposal has applied the queued events and saved its state. A component
    /// shared by several loops is not handed over.
    /// </summary>
    /// <typeparam name="T">The component's type.</typeparam>
    /// <param name="component">The component.</param>
    /// <returns>The component.</returns>
    public T Own<T>(T component)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(component);
        _owned.Add(component);
        return component;
    }
}
