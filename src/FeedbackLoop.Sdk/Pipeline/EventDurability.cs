namespace FeedbackLoop.Pipeline;

/// <summary>When a record call (<c>Predict</c>, <c>RecordPrediction</c>, <c>RecordFeedback</c>) returns, against when its event is stored.</summary>
public enum EventDurability
{
    /// <summary>
    /// The call returns once the event is queued, without waiting for the disk; <c>await loop.FlushAsync(ct)</c>
    /// acknowledges every event recorded before it (with a durable store: committed).
    /// </summary>
    OnFlush,

    /// <summary>
    /// The call returns only once its event is applied — with a durable store, committed — for hosts that acknowledge
    /// each message to a broker only then. It blocks its thread for a group commit, and is refused (an
    /// <see cref="InvalidOperationException"/>) from inside the loop's own consumer, which it would wait for.
    /// </summary>
    PerCall,
}
