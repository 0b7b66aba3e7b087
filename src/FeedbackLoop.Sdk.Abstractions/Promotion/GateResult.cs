namespace FeedbackLoop.Promotion;

/// <summary>A gate's verdict.</summary>
/// <param name="Passed">Whether the candidate may be promoted.</param>
/// <param name="Reasons">Why, one line per check.</param>
/// <param name="CandidateMetrics">The candidate's metrics on the holdout, by name.</param>
/// <param name="ChampionMetrics">The champion's metrics on the same holdout, by name (empty without a champion).</param>
public sealed record GateResult(
    bool Passed,
    IReadOnlyList<string> Reasons,
    IReadOnlyDictionary<string, double> CandidateMetrics,
    IReadOnlyDictionary<string, double> ChampionMetrics)
{
    /// <inheritdoc />
    public override string ToString() => $"{(Passed ? "pass" : "fail")}: {string.Join("; ", Reasons)}";
}
