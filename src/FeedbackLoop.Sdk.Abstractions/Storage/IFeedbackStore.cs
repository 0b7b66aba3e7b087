using FeedbackLoop.Models;

namespace FeedbackLoop.Storage;

/// <summary>
/// Keeps predictions and joins feedback to them by <see cref="PredictionId"/>, including feedback that
/// arrives before its prediction (an orphan, kept until its TTL expires); answers the loop's queries for
/// labelled windows.
/// </summary>
/// <remarks>
/// Thread-safe: record methods are called concurrently from request threads and must be fast. Feedback ids are
/// applied once. When a prediction has several labels, the latest one received wins.
/// </remarks>
public interface IFeedbackStore
{
    /// <summary>Stores a prediction and joins any orphaned feedback waiting for it.</summary>
    /// <param name="prediction">The validated prediction.</param>
    /// <returns>Whether it was new, and which orphans it adopted.</returns>
    PredictionRecordResult RecordPrediction(Prediction prediction);

    /// <summary>Stores a feedback event and joins it to its prediction when known.</summary>
    /// <param name="feedback">The validated feedback.</param>
    /// <param name="receivedAt">When the loop received it.</param>
    /// <returns>Joined, orphaned or duplicate.</returns>
    FeedbackRecordResult RecordFeedback(Feedback feedback, DateTimeOffset receivedAt);

    /// <summary>Reads a stored prediction in full (for sinks and queries; the record path does not need it).</summary>
    /// <param name="id">The prediction id.</param>
    /// <param name="prediction">The prediction, when it is stored.</param>
    /// <returns><see langword="true"/> when the store holds the prediction.</returns>
    bool TryGetPrediction(PredictionId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Prediction? prediction);

    /// <summary>Drops orphans older than the TTL.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>How many orphans expired in this call.</returns>
    int ExpireOrphans(DateTimeOffset now);

    /// <summary>Reads the most recent labelled examples.</summary>
    /// <param name="since">Only predictions made at or after this time; <see langword="null"/> for all.</param>
    /// <param name="maxCount">At most this many (the newest ones).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The examples, oldest prediction first.</returns>
    ValueTask<IReadOnlyList<LabelledExample>> GetLabelledExamplesAsync(DateTimeOffset? since, int maxCount, CancellationToken cancellationToken);

    /// <summary>Reads the store's counters.</summary>
    /// <returns>A snapshot.</returns>
    FeedbackStoreStatistics GetStatistics();
}
