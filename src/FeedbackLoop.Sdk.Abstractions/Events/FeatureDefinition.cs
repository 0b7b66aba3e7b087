namespace FeedbackLoop;

/// <summary>One feature of a <see cref="FeatureSchema"/>.</summary>
/// <param name="Name">The feature name, unique within the schema.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Ordinal">The position of the feature among the features of its kind (the index into
/// <see cref="FeatureVector.Numeric"/> or <see cref="FeatureVector.Categorical"/>).</param>
/// <param name="AllowMissing">Whether a missing value (NaN or <see langword="null"/>) is accepted.</param>
public sealed record FeatureDefinition(string Name, FeatureKind Kind, int Ordinal, bool AllowMissing);
