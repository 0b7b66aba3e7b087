using System.Collections.Frozen;

namespace FeedbackLoop;

/// <summary>
/// Describes, once, the features a model takes: their names, kinds and whether missing values are allowed.
/// Every <see cref="FeatureVector"/> is bound to a schema, which is how bad input is caught at the edge.
/// </summary>
/// <remarks>Immutable and thread-safe. Build one with <see cref="CreateBuilder"/>.</remarks>
public sealed class FeatureSchema : IEquatable<FeatureSchema>
{
    private readonly FrozenDictionary<string, FeatureDefinition> _byName;
    private string? _fingerprint;

    internal FeatureSchema(IReadOnlyList<FeatureDefinition> features)
    {
        Features = features;
        _byName = features.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        NumericCount = features.Count(f => f.Kind == FeatureKind.Numeric);
        CategoricalCount = features.Count - NumericCount;
        AllNumericRequired = features.All(f => f.Kind != FeatureKind.Numeric || !f.AllowMissing);
        AllCategoricalRequired = features.All(f => f.Kind != FeatureKind.Categorical || !f.AllowMissing);
    }

    /// <summary>Starts a new schema.</summary>
    /// <returns>A builder; call <see cref="FeatureSchemaBuilder.Build"/> when done.</returns>
    public static FeatureSchemaBuilder CreateBuilder() => new();

    /// <summary>Gets the features in declaration order.</summary>
    public IReadOnlyList<FeatureDefinition> Features { get; }

    /// <summary>Gets the number of numeric features.</summary>
    public int NumericCount { get; }

    /// <summary>Gets the number of categorical features.</summary>
    public int CategoricalCount { get; }

    /// <summary>Gets whether no numeric feature allows missing values (lets validation check the values in one pass).</summary>
    internal bool AllNumericRequired { get; }

    /// <summary>Gets whether no categorical feature allows missing values.</summary>
    internal bool AllCategoricalRequired { get; }

    /// <summary>Gets the numeric features, ordered by <see cref="FeatureDefinition.Ordinal"/>.</summary>
    public IEnumerable<FeatureDefinition> NumericFeatures => Features.Where(f => f.Kind == FeatureKind.Numeric);

    /// <summary>Gets the categorical features, ordered by <see cref="FeatureDefinition.Ordinal"/>.</summary>
    public IEnumerable<FeatureDefinition> CategoricalFeatures => Features.Where(f => f.Kind == FeatureKind.Categorical);

    /// <summary>Looks up a feature by name.</summary>
    /// <param name="name">The feature name (ordinal comparison).</param>
    /// <param name="feature">The feature when found.</param>
    /// <returns><see langword="true"/> when the schema declares <paramref name="name"/>.</returns>
    public bool TryGetFeature(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out FeatureDefinition feature) =>
        _byName.TryGetValue(name, out feature);

    /// <summary>Gets a feature by name.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns>The feature.</returns>
    /// <exception cref="FeatureValidationException"><paramref name="name"/> is not in the schema.</exception>
    public FeatureDefinition GetFeature(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out var feature)
            ? feature
            : throw new FeatureValidationException(name, $"Feature '{name}' is not in the schema (known features: {string.Join(", ", Features.Select(f => f.Name))}).");
    }

    /// <summary>Creates an empty vector for this schema: numeric values NaN, categorical values <see langword="null"/>.</summary>
    /// <returns>A new vector to fill with <see cref="FeatureVector.Set(string, double)"/>.</returns>
    public FeatureVector CreateVector() => new(this);

    /// <summary>
    /// Gets the schema's fingerprint: the lowercase hexadecimal SHA-256 of each feature's name, kind and whether it
    /// allows missing values, in declaration order. Registries keep it with every model version, so a loop refuses a
    /// version trained on another schema before it tries to load it.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint(Features);

    /// <inheritdoc />
    public bool Equals(FeatureSchema? other) =>
        other is not null && (ReferenceEquals(this, other) || Features.SequenceEqual(other.Features));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FeatureSchema);

    private static string ComputeFingerprint(IReadOnlyList<FeatureDefinition> features)
    {
        var text = new System.Text.StringBuilder();
        foreach (var feature in features)
        {
            // Unit and record separators cannot occur in a name a host would choose, so the encoding is unambiguous.
            text.Append(feature.Name).Append('\u001f').Append(feature.Kind).Append('\u001f').Append(feature.AllowMissing ? '1' : '0').Append('\u001e');
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var feature in Features)
        {
            hash.Add(feature);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(", ", Features.Select(f => $"{f.Name}:{f.Kind}{(f.AllowMissing ? "?" : string.Empty)}"));
}
