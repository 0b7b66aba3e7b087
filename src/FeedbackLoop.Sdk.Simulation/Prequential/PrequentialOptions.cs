namespace FeedbackLoop.Simulation.Prequential;

/// <summary>How a prequential (test-then-train) comparison replays a stream.</summary>
public sealed record PrequentialOptions
{
    /// <summary>Gets the labelled samples drawn first, which every strategy's first model is trained on.</summary>
    /// <value>Default 2,000.</value>
    public int History { get; init; } = 2_000;

    /// <summary>Gets the samples replayed after the history: each is predicted first, and its label arrives later.</summary>
    /// <value>Default 60,000.</value>
    public int Predictions { get; init; } = 60_000;

    /// <summary>Gets how many predictions after its own a prediction's label arrives; 0 for before the next prediction.</summary>
    /// <value>Default 500.</value>
    public int LabelDelay { get; init; } = 500;

    /// <summary>Gets the share of predictions that ever get a label, in (0, 1]; which ones is drawn with <see cref="Seed"/>.</summary>
    /// <value>Default 1.</value>
    public double LabelBudget { get; init; } = 1.0;

    /// <summary>Gets how many predictions pass between two of a loop's cycles.</summary>
    /// <value>Default 1,000.</value>
    public int CycleEvery { get; init; } = 1_000;

    /// <summary>
    /// Gets how many predictions pass between two looks at whether a loop asks for a cycle before its schedule
    /// (<see cref="IFeedbackLoop.WhenCycleDueAsync"/>): a hosted service answers within moments, the replay within this many
    /// predictions.
    /// </summary>
    /// <value>Default 100.</value>
    public int DueCheckEvery { get; init; } = 100;

    /// <summary>Gets the seed of the label-budget draw (the stream has its own).</summary>
    /// <value>Default 1.</value>
    public int Seed { get; init; } = 1;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is below its minimum, or the label budget is outside (0, 1].</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(History, 2, nameof(History));
        ArgumentOutOfRangeException.ThrowIfLessThan(Predictions, 1, nameof(Predictions));
        ArgumentOutOfRangeException.ThrowIfNegative(LabelDelay, nameof(LabelDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(CycleEvery, 1, nameof(CycleEvery));
        ArgumentOutOfRangeException.ThrowIfLessThan(DueCheckEvery, 1, nameof(DueCheckEvery));
        if (!(LabelBudget > 0.0 && LabelBudget <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(LabelBudget), LabelBudget, "The label budget is a share of the predictions, in (0, 1].");
        }
    }
}
