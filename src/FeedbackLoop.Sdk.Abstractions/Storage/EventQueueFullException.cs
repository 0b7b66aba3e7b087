namespace FeedbackLoop.Storage;

/// <summary>
/// Thrown by a record call when the loop's event queue is full and the loop is configured to throw rather than wait
/// (<c>EventQueueFullMode.Throw</c>): the event was not recorded, and the host may retry or shed the request.
/// </summary>
public sealed class EventQueueFullException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public EventQueueFullException()
        : base("The feedback loop's event queue is full; the event was not recorded.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public EventQueueFullException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EventQueueFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
