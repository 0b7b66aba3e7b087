namespace FeedbackLoop.Storage;

/// <summary>One recorded event as the loop hands it to stores and sinks: a prediction or a feedback event, and when the loop received it.</summary>
/// <remarks>Immutable. Exactly one of <see cref="Prediction"/> and <see cref="Feedback"/> is set.</remarks>
public readonly struct LoopEvent
{
    private LoopEvent(Prediction? prediction, Feedback? feedback, DateTimeOffset receivedAt)
    {
        Prediction = prediction;
        Feedback = feedback;
        ReceivedAt = receivedAt;
    }

    /// <summary>Gets the prediction, when this is a prediction event.</summary>
    public Prediction? Prediction { get; }

    /// <summary>Gets the feedback, when this is a feedback event (its timestamp is set: the loop fills a <c>default</c> one with <see cref="ReceivedAt"/>).</summary>
    public Feedback? Feedback { get; }

    /// <summary>Gets when the loop received the event: the time an orphan's TTL and a label's delay count from.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Creates a prediction event.</summary>
    /// <param name="prediction">The prediction.</param>
    /// <param name="receivedAt">When the loop received it.</param>
    /// <returns>The event.</returns>
    public static LoopEvent For(Prediction prediction, DateTimeOffset receivedAt) =>
        new(prediction ?? throw new ArgumentNullException(nameof(prediction)), null, receivedAt);

    /// <summary>Creates a feedback event.</summary>
    /// <param name="feedback">The feedback.</param>
    /// <param name="receivedAt">When the loop received it.</param>
    /// <returns>The event.</returns>
    public static LoopEvent For(Feedback feedback, DateTimeOffset receivedAt) =>
        new(null, feedback ?? throw new ArgumentNullException(nameof(feedback)), receivedAt);
}
