namespace FeedbackLoop.State;

/// <summary>Thrown when a loop saves its state over a revision that is no longer the current one (another instance saved in between).</summary>
public sealed class LoopStateConflictException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public LoopStateConflictException()
        : base("The loop's saved state changed since it was read.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public LoopStateConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LoopStateConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
