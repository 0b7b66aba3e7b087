namespace FeedbackLoop.Pipeline;

/// <summary>What a record call does when the loop's event queue is full (the consumer is behind, for example because the store is failing).</summary>
public enum EventQueueFullMode
{
    /// <summary>The call waits until the consumer frees room: backpressure on the host's request thread, nothing is lost.</summary>
    Wait,

    /// <summary>The call throws <see cref="Storage.EventQueueFullException"/> at once and records nothing: the host decides (retry, shed, 503).</summary>
    Throw,
}
