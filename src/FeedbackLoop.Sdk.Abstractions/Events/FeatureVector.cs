namespace FeedbackLoop;

/// <summary>
/// The inputs of one prediction, laid out by a <see cref="FeatureSchema"/>: numeric values by ordinal in
/// <see cref="Numeric"/>, categorical values by ordinal in <see cref="Categorical"/>.
/// </summary>
/// <remarks>
/// Every setter validates against the schema and throws <see cref="FeatureValidationException"/> naming the
/// feature. A vector the host creates is mutable and may be reused: a <see cref="Prediction"/> keeps a read-only
/// copy of it (<see cref="IsReadOnly"/>), so changing the host's vector afterwards never changes a recorded event.
/// Not thread-safe while being filled; a read-only vector is immutable and thread-safe.
/// </remarks>
public sealed class FeatureVector
{
    private readonly double[] _numeric;
    private readonly string?[] _categorical;

    internal FeatureVector(FeatureSchema schema)
        : this(schema, new double[schema.NumericCount], new string?[schema.CategoricalCount])
    {
        _numeric.AsSpan().Fill(double.NaN);
    }

    private FeatureVector(FeatureSchema schema, double[] numeric, string?[] categorical)
    {
        Schema = schema;
        _numeric = numeric;
        _categorical = categorical;
    }

    /// <summary>Gets whether the vector is an immutable copy (the one a <see cref="Prediction"/> holds); its setters throw.</summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>Gets the schema this vector follows.</summary>
    public FeatureSchema Schema { get; }

    /// <summary>Gets the numeric values, indexed by <see cref="FeatureDefinition.Ordinal"/> (NaN when missing).</summary>
    public ReadOnlySpan<double> Numeric => _numeric;

    /// <summary>Gets the categorical values, indexed by <see cref="FeatureDefinition.Ordinal"/> (null when missing).</summary>
    public ReadOnlySpan<string?> Categorical => _categorical;

    /// <summary>Creates a complete vector from values in schema order and validates it.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="numeric">One value per numeric feature, by ordinal.</param>
    /// <param name="categorical">One value per categorical feature, by ordinal.</param>
    /// <returns>The validated vector.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="FeatureValidationException">A value is not accepted by its feature.</exception>
    public static FeatureVector Create(FeatureSchema schema, ReadOnlySpan<double> numeric, ReadOnlySpan<string?> categorical = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (numeric.Length != schema.NumericCount || categorical.Length != schema.CategoricalCount)
        {
            throw new ArgumentException(
                $"The schema has {schema.NumericCount} numeric and {schema.CategoricalCount} categorical features; got {numeric.Length} and {categorical.Length} values.");
        }

        var vector = new FeatureVector(schema);
        numeric.CopyTo(vector._numeric);
        categorical.CopyTo(vector._categorical);
        vector.Validate();
        return vector;
    }

    /// <summary>Sets a numeric feature.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">A finite value, or NaN when the feature allows missing values.</param>
    /// <returns>This vector.</returns>
    /// <exception cref="FeatureValidationException">Unknown feature, a categorical feature, an infinity, or NaN where not allowed.</exception>
    /// <exception cref="InvalidOperationException">The vector is read-only.</exception>
    public FeatureVector Set(string name, double value)
    {
        ThrowIfReadOnly();
        var feature = Schema.GetFeature(name);
        if (feature.Kind != FeatureKind.Numeric)
        {
            throw new FeatureValidationException(name, $"Feature '{name}' is categorical; it was given the number {value}.");
        }

        CheckNumeric(feature, value);
        _numeric[feature.Ordinal] = value;
        return this;
    }

    /// <summary>Sets a categorical feature.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">The category, or <see langword="null"/> when the feature allows missing values.</param>
    /// <returns>This vector.</returns>
    /// <exception cref="FeatureValidationException">Unknown feature, a numeric feature, an empty category, or null where not allowed.</exception>
    /// <exception cref="InvalidOperationException">The vector is read-only.</exception>
    public FeatureVector Set(string name, string? value)
    {
        ThrowIfReadOnly();
        var feature = Schema.GetFeature(name);
        if (feature.Kind != FeatureKind.Categorical)
        {
            throw new FeatureValidationException(name, $"Feature '{name}' is numeric; it was given the category '{value}'.");
        }

        CheckCategorical(feature, value);
        _categorical[feature.Ordinal] = value;
        return this;
    }

    /// <summary>Gets a numeric feature by name.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns>The value (NaN when missing).</returns>
    /// <exception cref="FeatureValidationException">Unknown or categorical feature.</exception>
    public double GetNumeric(string name)
    {
        var feature = Schema.GetFeature(name);
        return feature.Kind == FeatureKind.Numeric
            ? _numeric[feature.Ordinal]
            : throw new FeatureValidationException(name, $"Feature '{name}' is categorical, not numeric.");
    }

    /// <summary>Gets a categorical feature by name.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns>The category (null when missing).</returns>
    /// <exception cref="FeatureValidationException">Unknown or numeric feature.</exception>
    public string? GetCategorical(string name)
    {
        var feature = Schema.GetFeature(name);
        return feature.Kind == FeatureKind.Categorical
            ? _categorical[feature.Ordinal]
            : throw new FeatureValidationException(name, $"Feature '{name}' is numeric, not categorical.");
    }

    /// <summary>Checks that every feature holds a value its definition accepts (no unset value unless missing values are allowed).</summary>
    /// <exception cref="FeatureValidationException">The first feature that fails, named in the message.</exception>
    public void Validate()
    {
        // The common case (nothing may be missing, everything is fine) is one pass over each array without
        // touching the definitions; only a failure, or a schema that allows missing values, walks them.
        if ((Schema.AllNumericRequired && AllFinite(_numeric)) && (Schema.AllCategoricalRequired && NoneNullOrEmpty(_categorical)))
        {
            return;
        }

        var features = Schema.Features;
        for (var i = 0; i < features.Count; i++)
        {
            var feature = features[i];
            if (feature.Kind == FeatureKind.Numeric)
            {
                CheckNumeric(feature, _numeric[feature.Ordinal]);
            }
            else
            {
                CheckCategorical(feature, _categorical[feature.Ordinal]);
            }
        }
    }

    /// <summary>Returns this vector when it is read-only, otherwise a read-only copy of it.</summary>
    /// <returns>An immutable vector with the same values.</returns>
    internal FeatureVector AsReadOnly()
    {
        return IsReadOnly ? this : new FeatureVector(Schema, [.. _numeric], [.. _categorical]) { IsReadOnly = true };
    }

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException("This feature vector belongs to a recorded prediction and cannot change; create a new vector (Schema.CreateVector()).");
        }
    }

    private static bool NoneNullOrEmpty(ReadOnlySpan<string?> values)
    {
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckNumeric(FeatureDefinition feature, double value)
    {
        if (double.IsInfinity(value))
        {
            throw new FeatureValidationException(feature.Name, $"Feature '{feature.Name}' is {value}; numeric features must be finite.");
        }

        if (double.IsNaN(value) && !feature.AllowMissing)
        {
            throw new FeatureValidationException(
                feature.Name, $"Feature '{feature.Name}' is NaN or unset; declare it with allowMissing: true to accept missing values.");
        }
    }

    private static void CheckCategorical(FeatureDefinition feature, string? value)
    {
        if (value is { Length: 0 })
        {
            throw new FeatureValidationException(feature.Name, $"Feature '{feature.Name}' is an empty string; a category must have at least one character (use null for a missing value).");
        }

        if (value is null && !feature.AllowMissing)
        {
            throw new FeatureValidationException(
                feature.Name, $"Feature '{feature.Name}' is null or unset; declare it with allowMissing: true to accept missing values.");
        }
    }
}
