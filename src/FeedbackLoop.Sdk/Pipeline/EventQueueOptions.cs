namespace FeedbackLoop.Pipeline;

/// <summary>The bounded queue between the record calls and the loop's consumer.</summary>
public sealed class EventQueueOptions
{
    /// <summary>Gets or sets how many events may wait for the consumer; rounded up to a power of two.</summary>
    /// <value>Default 65,536. At most 16,777,216.</value>
    public int Capacity { get; set; } = 65_536;

    /// <summary>Gets or sets the most events the consumer applies in one batch (one store append, one call per batched sink).</summary>
    /// <value>Default 1,024.</value>
    public int MaxBatchSize { get; set; } = 1_024;

    /// <summary>Gets or sets what a record call does when the queue is full.</summary>
    /// <value>Default <see cref="EventQueueFullMode.Wait"/>.</value>
    public EventQueueFullMode FullMode { get; set; } = EventQueueFullMode.Wait;

    /// <summary>Gets or sets when a record call returns: once its event is queued (acknowledged by <c>FlushAsync</c>), or once it is stored.</summary>
    /// <value>Default <see cref="EventDurability.OnFlush"/>.</value>
    public EventDurability Durability { get; set; } = EventDurability.OnFlush;

    /// <summary>
    /// Gets or sets how long a record call with <see cref="EventDurability.PerCall"/> waits for its event to be stored
    /// before it throws <see cref="TimeoutException"/> (the event stays queued and is retried; the host must not
    /// acknowledge it yet).
    /// </summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan PerCallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long disposal waits for the consumer to apply the queued events before it gives up on them (logging how many).</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
