namespace FeedbackLoop;

/// <summary>
/// Receives every prediction and feedback event the loop records, after validation and after the store has
/// taken it: a place to forward events (a log, a queue, a warehouse) or to compute something of one's own.
/// </summary>
/// <remarks>
/// Called on the host's request thread, so implementations must be fast and thread-safe (calls may be
/// concurrent). The loop contains failures: an exception thrown here is logged and counted
/// (<c>feedbackloop.sink.failures</c>), reported by the next cycle, and never reaches the host.
/// </remarks>
public interface IFeedbackSink
{
    /// <summary>Called once for each recorded prediction.</summary>
    /// <param name="prediction">The prediction.</param>
    void OnPrediction(Prediction prediction);

    /// <summary>Called once for each accepted feedback event (duplicates are not passed on).</summary>
    /// <param name="feedback">The feedback.</param>
    /// <param name="prediction">The prediction it was joined to, or <see langword="null"/> while it waits as an orphan.</param>
    void OnFeedback(Feedback feedback, Prediction? prediction);
}
