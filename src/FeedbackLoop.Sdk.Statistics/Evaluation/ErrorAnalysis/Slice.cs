namespace FeedbackLoop.Evaluation.ErrorAnalysis;

/// <summary>A slice of the data on which the model's loss is higher than on the rest.</summary>
/// <param name="Conditions">The predicates, all of which the slice's examples meet (one or two).</param>
/// <param name="Size">The number of examples in the slice.</param>
/// <param name="MeanLoss">The mean loss in the slice.</param>
/// <param name="RestMeanLoss">The mean loss of the other examples.</param>
/// <param name="EffectSize">(mean − rest mean) / sqrt((variance + rest variance) / 2), SliceFinder's effect size.</param>
/// <param name="Test">Welch's one-sided t-test of a higher mean loss in the slice.</param>
/// <param name="AdjustedPValue">The test's p-value adjusted by Benjamini–Hochberg over every slice tested.</param>
public sealed record Slice(
    IReadOnlyList<SliceCondition> Conditions,
    int Size,
    double MeanLoss,
    double RestMeanLoss,
    double EffectSize,
    WelchTest Test,
    double AdjustedPValue)
{
    /// <summary>Returns the slice as text, for example <c>country = FR and age in (60, 90]</c>.</summary>
    /// <returns>The conditions joined with "and".</returns>
    public override string ToString() => string.Join(" and ", Conditions);
}
