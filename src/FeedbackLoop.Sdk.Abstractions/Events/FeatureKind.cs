namespace FeedbackLoop;

/// <summary>The kind of a feature declared in a <see cref="FeatureSchema"/>.</summary>
public enum FeatureKind
{
    /// <summary>A real number. <see cref="double.NaN"/> means "missing" and is accepted only when the feature allows missing values.</summary>
    Numeric,

    /// <summary>A category given as a string. <see langword="null"/> means "missing".</summary>
    Categorical,
}
