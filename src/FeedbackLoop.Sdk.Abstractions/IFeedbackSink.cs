using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>
/// Receives every recorded event, one at a time, after the event store applied it: a place to forward events (a log,
/// a queue, a warehouse) or to compute something of one's own. For batches, implement
/// <see cref="IBatchedFeedbackSink"/> instead.
/// </summary>
/// <remarks>
/// Called on the loop's own consumer, never on a request thread, one call at a time per loop, in arrival order. The
/// loop contains failures: an exception thrown here is logged, counted (<c>feedbackloop.failures</c> with component
/// <c>sink</c>) and reported by the next cycle; the event stays recorded and the next call goes ahead.
/// </remarks>
public interface IFeedbackSink
{
    /// <summary>Called once for each prediction event, duplicates included.</summary>
    /// <param name="prediction">The prediction.</param>
    /// <param name="outcome"><see cref="EventOutcome.Stored"/>, or <see cref="EventOutcome.Duplicate"/> when its id was already stored.</param>
    void OnPrediction(Prediction prediction, EventOutcome outcome);

    /// <summary>Called once for each feedback event, duplicates included.</summary>
    /// <param name="feedback">The feedback, its timestamp filled with the receipt time when the host left it <c>default</c>.</param>
    /// <param name="outcome">Joined, orphaned, duplicate or rejected.</param>
    void OnFeedback(Feedback feedback, EventOutcome outcome);
}
