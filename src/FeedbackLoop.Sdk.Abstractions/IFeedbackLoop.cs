using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>
/// The feedback loop around one model: the host records predictions (or asks the loop to predict), reports
/// feedback as it arrives, and runs cycles when it chooses.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. <see cref="Predict"/>, <see cref="RecordPrediction"/> and <see cref="RecordFeedback"/> are the request
/// path: they validate the event (throwing <see cref="ArgumentException"/> subtypes for bad input, so nothing invalid
/// is recorded) and hand it to the loop's bounded event queue. They do no I/O, take no lock a plug-in holds, and
/// never throw because a plug-in (store, sink, detector) failed. The loop's own consumer then applies the events in
/// arrival order, in batches: the event store joins feedback to predictions, the monitors update, the sinks run.
/// </para>
/// <para>
/// A duplicate or an orphan is therefore known when the consumer has applied the event, not when the record call
/// returns: <see cref="FlushAsync"/> waits for that; the outcome of every event reaches the sinks
/// (<see cref="IFeedbackSink"/>, <see cref="IBatchedFeedbackSink"/>), and the counters
/// (<see cref="GetStatisticsAsync"/>) and the next cycle report count them.
/// </para>
/// <para>Cycles run one at a time and start by flushing the queue, so a cycle sees every event recorded before it.</para>
/// </remarks>
public interface IFeedbackLoop : IDisposable, IAsyncDisposable
{
    /// <summary>Gets the loop's name (also the model name in the registry).</summary>
    string Name { get; }

    /// <summary>Gets the feature schema.</summary>
    FeatureSchema Schema { get; }

    /// <summary>
    /// Gets the task the loop's model performs, declared once when the loop is built: the label kind ground truth
    /// carries, the outputs its models return, its error stream and its metrics follow it.
    /// </summary>
    ModelTask Task { get; }

    /// <summary>Gets the live champion, or <see langword="null"/> before one is promoted.</summary>
    ModelVersion? Champion { get; }

    /// <summary>
    /// Starts the loop: loads its champion through the registry's champion alias and the artifact loader, and its own
    /// state (monitors, rolling outcomes, drift signals, counters, the retrain policy's clock) from its loop-state store,
    /// so that a loop built again on the same stores resumes where the last one stopped. Idempotent; the first cycle,
    /// promotion, rollback or prediction starts the loop when the host has not (recorded events wait in the queue until
    /// the state is loaded). A start that fails (a store unreachable) is tried again by the next call.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (the start goes on).</param>
    /// <returns>A task that completes when the loop has started.</returns>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Scores the input with the live champion and records the prediction.</summary>
    /// <param name="features">The inputs, in the loop's schema; the prediction keeps a copy, so the vector may be reused.</param>
    /// <param name="segments">Segment tags for slicing; optional.</param>
    /// <param name="id">The prediction id; a new one when omitted. An id already recorded is not recorded again: the consumer reports it <see cref="EventOutcome.Duplicate"/> to the sinks and counts it.</param>
    /// <returns>The prediction, as recorded (its <see cref="Prediction.Id"/> is what feedback refers to).</returns>
    /// <exception cref="FeatureValidationException">The input does not fit the schema.</exception>
    /// <exception cref="ArgumentException">A segment tag or string exceeds the loop's limits.</exception>
    /// <exception cref="InvalidOperationException">No champion has been promoted yet, the model returned an output that does not fit the loop's task, or the loop is disposed.</exception>
    /// <exception cref="EventQueueFullException">The event queue is full and the loop is configured to throw rather than wait.</exception>
    Prediction Predict(FeatureVector features, IReadOnlyDictionary<string, string>? segments = null, PredictionId? id = null);

    /// <summary>Records a prediction the host's own model made.</summary>
    /// <param name="prediction">The prediction.</param>
    /// <exception cref="FeatureValidationException">The features do not fit the schema.</exception>
    /// <exception cref="ArgumentException">The prediction is for another model or schema, or exceeds the loop's limits.</exception>
    /// <exception cref="InvalidLabelException">The output does not fit the loop's task (<see cref="ModelTask.Accepts(PredictionOutput, out string)"/>): another label kind, an undeclared class, or a score or probabilities that are not probabilities.</exception>
    /// <exception cref="InvalidOperationException">The loop is disposed.</exception>
    /// <exception cref="EventQueueFullException">The event queue is full and the loop is configured to throw rather than wait.</exception>
    void RecordPrediction(Prediction prediction);

    /// <summary>
    /// Records feedback. The consumer joins it to its prediction, or holds it as an orphan until its prediction arrives
    /// or its TTL expires; a re-delivered feedback id is applied once.
    /// </summary>
    /// <param name="feedback">The feedback.</param>
    /// <exception cref="InvalidLabelException">
    /// The value has the wrong type for the feedback kind, or a label (ground truth, correction) does not fit the loop's
    /// task: another label kind, or a class the multiclass task does not declare.
    /// </exception>
    /// <exception cref="ArgumentException">A string exceeds the loop's limits.</exception>
    /// <exception cref="InvalidOperationException">The loop is disposed.</exception>
    /// <exception cref="EventQueueFullException">The event queue is full and the loop is configured to throw rather than wait.</exception>
    void RecordFeedback(Feedback feedback);

    /// <summary>Waits until every event recorded before this call has been applied: stored, joined, monitored and passed to the sinks.</summary>
    /// <param name="cancellationToken">Cancels the wait (the events are still applied).</param>
    /// <returns>A task that completes when those events are applied.</returns>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Completes when a cycle should run before the host's next scheduled one: the first drift signalled since the last
    /// training has gathered as many labels after it as a retrain needs (so the retrain would not be deferred), or a
    /// rejected post-drift candidate's retry has come due. A host that runs cycles on a timer waits for this beside the
    /// timer, so a drift is answered within moments of its labels rather than at the next tick.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// A task that completes when a cycle is due; already completed when one is due now. Each drift is announced once;
    /// the next <see cref="RunCycleAsync"/> takes the announcement, and the task after it waits for the next one. A
    /// cycle that defers (labels that arrive late or out of order can leave the window since the drift short) or fails
    /// leaves the drift pending, for the host's next scheduled cycle: the announcement speeds a drift's answer up, the
    /// timer still guarantees it.
    /// </returns>
    /// <exception cref="ObjectDisposedException">The loop is disposed (a wait pending at disposal ends with it too).</exception>
    /// <remarks>
    /// The announcement comes from the loop's consumer as it applies labels: after <see cref="FlushAsync"/>, the task
    /// reflects every event recorded before the flush.
    /// </remarks>
    Task WhenCycleDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs one cycle: flush the event queue, expire orphans, read the monitors, ask the retrain policy, and if it says
    /// so train on the labelled window, gate the candidate against the champion on the same holdout, register it, and
    /// promote and hot-swap it when it passes.
    /// </summary>
    /// <param name="cancellationToken">Cancels the cycle (the champion is left as it was).</param>
    /// <returns>What was observed, decided and done.</returns>
    Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Trains the loop's first champion with its own trainer on the host's labelled data — history it already has, no
    /// predictions needed — registers it and makes it the champion. This is how a loop gets its first model when the host
    /// has labels; without them, it records its own model's predictions (<see cref="RecordPrediction"/>) and the first
    /// cycle that has enough labels trains one.
    /// </summary>
    /// <param name="data">The labelled rows (<see cref="TrainingSet.CreateBuilder"/>), in the loop's schema.</param>
    /// <param name="change">Who seeds it and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The registered version, now champion.</returns>
    /// <exception cref="ArgumentException">The data follow another schema or are for another task.</exception>
    /// <exception cref="InvalidOperationException">The loop already has a champion, or the trainer made a model of another task.</exception>
    Task<ModelVersion> SeedAsync(TrainingSet data, AliasChange change, CancellationToken cancellationToken);

    /// <summary>Registers a model trained outside the loop and makes it the champion without a gate.</summary>
    /// <param name="model">The model.</param>
    /// <param name="change">Who promotes it and why, recorded in the version's lineage and the alias history.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The registered version, now champion.</returns>
    /// <exception cref="ArgumentException">The model's predictor performs another task (<see cref="IPredictor.Task"/>).</exception>
    Task<ModelVersion> PromoteAsync(TrainedModel model, AliasChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Judges a model trained outside the loop the way a cycle judges its own candidates, and promotes it only if the
    /// loop's gate passes. It runs as one cycle (numbered, observed and reported like the others, the host's cycle
    /// stages included): observe, read the holdout, gate the candidate against the champion, register it as the
    /// challenger, promote it. Unlike <see cref="PromoteAsync"/>, which is the host's decision, a candidate the gate
    /// rejects stays registered as the challenger and the champion keeps serving.
    /// </summary>
    /// <param name="candidate">The model: its predictor ready, its artifact loadable by the loop's artifact loader.</param>
    /// <param name="change">Who submits it and why; kept in the version's lineage and the cycle's reason.</param>
    /// <param name="holdout">
    /// The labelled predictions to judge both models on; <see langword="null"/> for the newest ones a cycle holds out
    /// (<c>HoldoutFraction</c> of <c>TrainingWindowSize</c>). To judge fairly, pick labels the candidate was not trained
    /// on, such as the predictions made after the export it was trained from (<c>From</c> = the export's time).
    /// </param>
    /// <param name="cancellationToken">Cancels the cycle.</param>
    /// <returns>
    /// The cycle's report: <see cref="CycleOutcome.Promoted"/>, <see cref="CycleOutcome.Rejected"/>,
    /// <see cref="CycleOutcome.Deferred"/> when no labelled prediction matches the holdout, <see cref="CycleOutcome.NotLeader"/>
    /// on an instance of a shared loop that does not lead, or <see cref="CycleOutcome.Failed"/>. A rejected challenge
    /// leaves the labels and drift signals to the loop's own next retrain; a promoted one consumes them, as a promoted
    /// candidate of the loop's does. The candidate is not refitted after the gate: the loop did not train it.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The model performs another task, or its artifact does not load back (no loader, or a model of another task): it could not be restored after a restart or rolled back to.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    Task<CycleReport> ChallengeAsync(TrainedModel candidate, AliasChange change, LabelledWindowQuery? holdout, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the loop's labelled window as CSV, for a model that is retrained outside the process (in Python, say, and
    /// served as ONNX): train on the file, then hand the new model to <see cref="PromoteAsync"/>. Everything recorded
    /// before the call is written.
    /// </summary>
    /// <param name="destination">A writable stream; it is left open, written from its current position.</param>
    /// <param name="query">Which labelled predictions to write; <see langword="null"/> for the window a cycle trains on (the newest <c>TrainingWindowSize</c>).</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The number of rows written after the header.</returns>
    /// <remarks>
    /// RFC 4180 CSV in UTF-8 with CRLF line ends, oldest prediction first. The header is <c>prediction_id</c>,
    /// <c>predicted_at</c> (ISO 8601 UTC), <c>model_version</c>, one column per feature with the schema's names in
    /// declaration order, <c>label</c> (<c>1</c>/<c>0</c> for binary, the class for multiclass, the value for
    /// regression) and <c>labelled_at</c>. Numbers are in invariant round-trip form; a missing value is an empty field.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable.</exception>
    /// <exception cref="InvalidOperationException">A feature is named like one of the export's own columns.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    Task<int> ExportLabelledWindowAsync(Stream destination, LabelledWindowQuery? query, CancellationToken cancellationToken);

    /// <summary>
    /// Loads a registered version of the loop's model for scoring outside the loop — to compare versions on the same
    /// inputs, score a candidate in the shadow, or build a report — with the checks a rollback makes (the registry's
    /// SHA-256, the schema fingerprint, the task). Nothing is recorded and the champion keeps serving.
    /// </summary>
    /// <param name="version">The version number, 1 or more.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version's predictor.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is below 1.</exception>
    /// <exception cref="KeyNotFoundException">The loop's model has no such version.</exception>
    /// <exception cref="InvalidOperationException">No artifact loader is configured, the version was trained on another schema, or it loads as a model of another task.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    Task<IPredictor> LoadVersionAsync(int version, CancellationToken cancellationToken);

    /// <summary>
    /// Returns the champion to the version its latest promotion replaced and hot-swaps it live. The registry keeps the
    /// rollback in its alias history; rolling back again undoes the promotion before. Never waits behind a training.
    /// </summary>
    /// <param name="change">Who rolls back and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The restored champion.</returns>
    /// <exception cref="InvalidOperationException">There is no earlier champion.</exception>
    Task<ModelVersion> RollbackAsync(AliasChange change, CancellationToken cancellationToken);

    /// <summary>Gets the loop's health: whether the store accepts its writes, and since when it has not (no I/O; for health checks).</summary>
    LoopHealth Health { get; }

    /// <summary>Reads the loop's counters: the event queue's and the store's.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A snapshot.</returns>
    Task<LoopStatistics> GetStatisticsAsync(CancellationToken cancellationToken);
}
