using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>
/// The feedback loop around one model: the host records predictions (or asks the loop to predict), reports
/// feedback as it arrives, and runs cycles when it chooses.
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="Predict"/>, <see cref="RecordPrediction"/> and <see cref="RecordFeedback"/> are the
/// request path: they validate input (throwing <see cref="ArgumentException"/> subtypes for bad input) and never
/// throw because a plug-in (sink, detector) failed. Cycles run one at a time; nothing runs in the background.
/// </remarks>
public interface IFeedbackLoop : IDisposable
{
    /// <summary>Gets the loop's name (also the model name in the registry).</summary>
    string Name { get; }

    /// <summary>Gets the feature schema.</summary>
    FeatureSchema Schema { get; }

    /// <summary>Gets the live champion, or <see langword="null"/> before one is promoted.</summary>
    ModelVersion? Champion { get; }

    /// <summary>Scores the input with the live champion and records the prediction.</summary>
    /// <param name="features">The inputs, in the loop's schema.</param>
    /// <param name="segments">Segment tags for slicing; optional.</param>
    /// <param name="id">The prediction id; a new one when omitted.</param>
    /// <returns>The recorded prediction (its <see cref="Prediction.Id"/> is what feedback refers to).</returns>
    /// <exception cref="FeatureValidationException">The input does not fit the schema.</exception>
    /// <exception cref="InvalidOperationException">No champion has been promoted yet.</exception>
    Prediction Predict(FeatureVector features, IReadOnlyDictionary<string, string>? segments = null, PredictionId? id = null);

    /// <summary>Records a prediction the host's own model made.</summary>
    /// <param name="prediction">The prediction.</param>
    /// <returns><see langword="true"/> when recorded; <see langword="false"/> when its id was already recorded.</returns>
    /// <exception cref="FeatureValidationException">The features do not fit the schema.</exception>
    /// <exception cref="ArgumentException">The prediction is for another model or schema.</exception>
    bool RecordPrediction(Prediction prediction);

    /// <summary>Records feedback; joins it to its prediction, or holds it as an orphan until its prediction arrives or the TTL expires.</summary>
    /// <param name="feedback">The feedback.</param>
    /// <returns>Joined, orphaned, or duplicate (already applied; ignored).</returns>
    /// <exception cref="InvalidLabelException">The value has the wrong type for the loop's labels or for the feedback kind.</exception>
    FeedbackRecordStatus RecordFeedback(Feedback feedback);

    /// <summary>
    /// Runs one cycle: expire orphans, read the monitors, ask the retrain policy, and if it says so train on the
    /// labelled window, gate the candidate against the champion on the same holdout, register it, and promote and
    /// hot-swap it when it passes.
    /// </summary>
    /// <param name="cancellationToken">Cancels the cycle (the champion is left as it was).</param>
    /// <returns>What was observed, decided and done.</returns>
    Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken);

    /// <summary>Registers a model trained outside the loop and makes it the champion without a gate (for example the first model).</summary>
    /// <param name="model">The model.</param>
    /// <param name="reason">Why, recorded in the version's lineage.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The registered version, now champion.</returns>
    Task<ModelVersion> PromoteAsync(TrainedModel model, string reason, CancellationToken cancellationToken);

    /// <summary>Returns the champion to the version it replaced and hot-swaps it live.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The restored champion.</returns>
    /// <exception cref="InvalidOperationException">There is no earlier champion.</exception>
    Task<ModelVersion> RollbackAsync(CancellationToken cancellationToken);

    /// <summary>Reads the store's counters.</summary>
    /// <returns>A snapshot.</returns>
    FeedbackStoreStatistics GetStatistics();
}
