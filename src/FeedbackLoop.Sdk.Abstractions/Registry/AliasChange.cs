namespace FeedbackLoop.Registry;

/// <summary>Who moves an alias and why: recorded with every move in the registry's alias history.</summary>
/// <remarks>Immutable.</remarks>
public sealed record AliasChange
{
    /// <summary>Initializes a new change.</summary>
    /// <param name="actor">Who or what moves the alias (for example <c>"feedback-loop"</c>, <c>"ops:alice"</c>).</param>
    /// <param name="reason">Why.</param>
    /// <exception cref="ArgumentException">The actor or the reason is empty.</exception>
    public AliasChange(string actor, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Actor = actor;
        Reason = reason;
    }

    /// <summary>Gets who or what moves the alias.</summary>
    public string Actor { get; }

    /// <summary>Gets why.</summary>
    public string Reason { get; }
}
