namespace FeedbackLoop;

/// <summary>Declares the features of a <see cref="FeatureSchema"/>, in order.</summary>
/// <remarks>Not thread-safe; use it from one thread, then call <see cref="Build"/>.</remarks>
public sealed class FeatureSchemaBuilder
{
    private readonly List<FeatureDefinition> _features = [];
    private int _numeric;
    private int _categorical;

    /// <summary>Declares a numeric feature.</summary>
    /// <param name="name">The unique feature name.</param>
    /// <param name="allowMissing">Whether NaN is accepted as "missing". Default <see langword="false"/>: NaN is rejected.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already declared.</exception>
    public FeatureSchemaBuilder Numeric(string name, bool allowMissing = false) =>
        Add(name, FeatureKind.Numeric, _numeric++, allowMissing);

    /// <summary>Declares a categorical feature.</summary>
    /// <param name="name">The unique feature name.</param>
    /// <param name="allowMissing">Whether <see langword="null"/> is accepted as "missing". Default <see langword="false"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already declared.</exception>
    public FeatureSchemaBuilder Categorical(string name, bool allowMissing = false) =>
        Add(name, FeatureKind.Categorical, _categorical++, allowMissing);

    /// <summary>Builds the immutable schema.</summary>
    /// <returns>The schema.</returns>
    /// <exception cref="InvalidOperationException">No feature was declared.</exception>
    public FeatureSchema Build() =>
        _features.Count == 0
            ? throw new InvalidOperationException("A feature schema needs at least one feature.")
            : new FeatureSchema([.. _features]);

    private FeatureSchemaBuilder Add(string name, FeatureKind kind, int ordinal, bool allowMissing)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_features.Exists(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Feature '{name}' is declared twice.", nameof(name));
        }

        _features.Add(new FeatureDefinition(name, kind, ordinal, allowMissing));
        return this;
    }
}
