namespace FeedbackLoop.Evaluation.ErrorAnalysis;

/// <summary>One predicate of a slice: a numeric feature in a bin, or a categorical feature equal to a value.</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Lower">The bin's lower edge, excluded (included for the first bin); <see langword="null"/> for a categorical condition or missing values.</param>
/// <param name="Upper">The bin's upper edge, included; <see langword="null"/> for a categorical condition or missing values.</param>
/// <param name="Category">The category, or <see langword="null"/> for a numeric condition or a missing category.</param>
/// <param name="IsMissing">Whether the condition selects examples where the feature is missing.</param>
public sealed record SliceCondition(string Feature, double? Lower, double? Upper, string? Category, bool IsMissing)
{
    /// <summary>Returns the condition as text, for example <c>age in (30, 45]</c> or <c>country = FR</c>.</summary>
    /// <returns>The condition.</returns>
    public override string ToString() =>
        IsMissing ? $"{Feature} is missing"
        : Category is not null ? $"{Feature} = {Category}"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Feature} in ({Lower:G6}, {Upper:G6}]");
}
