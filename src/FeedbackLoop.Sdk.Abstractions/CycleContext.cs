using FeedbackLoop.Models;
using FeedbackLoop.Registry;

namespace FeedbackLoop;

/// <summary>The state one cycle's stages share: the report so far, and what the train stage produced for the later ones.</summary>
/// <remarks>Used by one cycle at a time; not thread-safe.</remarks>
public sealed class CycleContext
{
    /// <summary>Initializes the context of a cycle (the loop creates it; tests of a custom stage create their own).</summary>
    /// <param name="loopName">The loop's name.</param>
    /// <param name="report">The report the cycle starts from.</param>
    public CycleContext(string loopName, CycleReport report)
    {
        ArgumentException.ThrowIfNullOrEmpty(loopName);
        LoopName = loopName;
        Report = report ?? throw new ArgumentNullException(nameof(report));
    }

    /// <summary>Gets the loop's name.</summary>
    public string LoopName { get; }

    /// <summary>Gets or sets the report so far; a stage replaces it (<c>context.Report = context.Report with { ... }</c>).</summary>
    public CycleReport Report { get; set; }

    /// <summary>Gets whether a stage ended the cycle; the stages after it do not run.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Gets or sets the champion's predictor when the cycle started, or <see langword="null"/> without a champion.</summary>
    public IPredictor? Champion { get; set; }

    /// <summary>Gets or sets the candidate the train stage produced (its artifact already loaded back once), or <see langword="null"/>.</summary>
    public TrainedModel? Candidate { get; set; }

    /// <summary>Gets or sets the examples the candidate was trained on.</summary>
    public IReadOnlyList<LabelledExample> Training { get; set; } = [];

    /// <summary>Gets or sets the examples the gate compares candidate and champion on.</summary>
    public IReadOnlyList<LabelledExample> Holdout { get; set; } = [];

    /// <summary>Gets or sets the candidate's registered version, once the register stage has run.</summary>
    public ModelVersion? Registered { get; set; }

    /// <summary>Ends the cycle with <paramref name="outcome"/>: the stages after this one do not run.</summary>
    /// <param name="outcome">How the cycle ended.</param>
    /// <param name="reason">Why, appended to the decision's reason; optional.</param>
    public void Finish(CycleOutcome outcome, string? reason = null)
    {
        Report = reason is null
            ? Report with { Outcome = outcome }
            : Report with { Outcome = outcome, Decision = Report.Decision with { Reason = $"{Report.Decision.Reason}; {reason}" } };
        IsFinished = true;
    }
}
