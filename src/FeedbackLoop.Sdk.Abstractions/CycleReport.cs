using System.Globalization;
using System.Text;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;

namespace FeedbackLoop;

/// <summary>The structured account of one <see cref="IFeedbackLoop.RunCycleAsync"/>: what was observed, what was decided, and why.</summary>
/// <param name="Cycle">The 1-based cycle number.</param>
/// <param name="StartedAt">When the cycle started.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Observed">What was observed.</param>
/// <param name="Decision">The retrain policy's decision.</param>
/// <param name="Outcome">How the cycle ended.</param>
/// <param name="TrainingExamples">Examples the candidate the gate judged was trained on (0 when none was trained); a candidate refitted after passing the gate (<c>FeedbackLoopOptions.RefitAfterGate</c>) then learned from these and the holdout.</param>
/// <param name="HoldoutExamples">Examples the gate compared the models on.</param>
/// <param name="Gate">The gate's verdict, when a candidate was gated.</param>
/// <param name="Candidate">The registered candidate, when one was registered.</param>
/// <param name="Champion">The live champion after the cycle, or <see langword="null"/> when there is none.</param>
/// <param name="Failure">What failed, when <see cref="Outcome"/> is <see cref="CycleOutcome.Failed"/>.</param>
public sealed record CycleReport(
    long Cycle,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    CycleObservation Observed,
    RetrainDecision Decision,
    CycleOutcome Outcome,
    int TrainingExamples,
    int HoldoutExamples,
    GateResult? Gate,
    ModelVersion? Candidate,
    ModelVersion? Champion,
    string? Failure)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"cycle {Cycle}: {Outcome}; decision: {Decision.Reason}");
        if (Candidate is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; candidate {Candidate} trained on {TrainingExamples}, gated on {HoldoutExamples}");
        }

        if (Gate is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; gate {Gate}");
        }

        if (Failure is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; failure: {Failure}");
        }

        return text.Append(CultureInfo.InvariantCulture, $"; champion {Champion?.ToString() ?? "none"}").ToString();
    }
}
