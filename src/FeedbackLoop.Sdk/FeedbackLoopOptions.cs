using FeedbackLoop.Pipeline;
using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>Settings of one feedback loop. Validated at start-up by <see cref="FeedbackLoopOptionsValidator"/>, which reports every problem at once.</summary>
public sealed class FeedbackLoopOptions
{
    /// <summary>Gets the settings of the built-in in-memory store (capacities, orphan TTL).</summary>
    public FeedbackStoreOptions Store { get; } = new();

    /// <summary>Gets the settings of the event queue between the record calls and the loop's consumer.</summary>
    public EventQueueOptions Events { get; } = new();

    /// <summary>Gets the limits on what one event may carry.</summary>
    public EventLimits Limits { get; } = new();

    /// <summary>Gets or sets the most labelled examples a cycle reads for training and holdout (the newest ones).</summary>
    /// <value>Default 5,000.</value>
    public int TrainingWindowSize { get; set; } = 5_000;

    /// <summary>
    /// Gets or sets the most labelled examples a scheduled retrain (one no drift signal asked for) reads once the concept
    /// has been stable: with <see cref="TrainSinceDrift"/>, it trains on every label since the first full
    /// <see cref="TrainingWindowSize"/> after the latest drift the loop has retrained for, the newest ones up to this
    /// size, and never on fewer than <see cref="TrainingWindowSize"/>. More labels of the same concept make a better
    /// model than a fixed window; the labels just after a drift are left out because a gradual or incremental change is
    /// often still under way when it is signalled.
    /// </summary>
    /// <value>Default 20,000. At or below <see cref="TrainingWindowSize"/>, every retrain reads <see cref="TrainingWindowSize"/>.</value>
    public int StableTrainingWindowSize { get; set; } = 20_000;

    /// <summary>Gets or sets the fewest labelled examples a cycle needs before it trains; with fewer, the retrain is deferred.</summary>
    /// <value>Default 200.</value>
    public int MinimumTrainingExamples { get; set; } = 200;

    /// <summary>Gets or sets the share of the window, taken from its newest end, held out to compare candidate and champion.</summary>
    /// <value>Default 0.25. Must lie in (0, 1).</value>
    public double HoldoutFraction { get; set; } = 0.25;

    /// <summary>
    /// Gets or sets whether a retrain after drift trains only on predictions made at or after the first drift signalled
    /// since the last training, so the candidate learns the new concept rather than a mix of old and new; a candidate
    /// so trained on less than a full window is retried once the labels since that drift have doubled, or half a
    /// window's worth of labels has joined, whichever comes first.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool TrainSinceDrift { get; set; } = true;

    /// <summary>
    /// Gets or sets whether a candidate that passed the gate is trained again on its whole window, the holdout included,
    /// before it is registered and promoted (the gate judged the first fit; the served model learns from every label).
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool RefitAfterGate { get; set; } = true;

    /// <summary>Gets or sets how many of the champion's latest labelled predictions the rolling metrics (<c>accuracy</c>) cover.</summary>
    /// <value>Default 500, at most 1,000,000. The metric is reported once the window is full.</value>
    public int RollingWindowSize { get; set; } = 500;
}
