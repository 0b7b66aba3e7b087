using System.Globalization;

namespace FeedbackLoop;

/// <summary>
/// A typed outcome value: the label a model predicted, the ground truth a host reports, a rating or a flag reason.
/// </summary>
/// <remarks>An immutable value type; <c>default</c> is <see cref="None"/>.</remarks>
public readonly struct Label : IEquatable<Label>
{
    private readonly double _number;
    private readonly string? _category;

    private Label(LabelKind kind, double number, string? category)
    {
        Kind = kind;
        _number = number;
        _category = category;
    }

    /// <summary>Gets the empty label.</summary>
    public static Label None => default;

    /// <summary>Gets the kind of value held.</summary>
    public LabelKind Kind { get; }

    /// <summary>Creates a binary label.</summary>
    /// <param name="value">The outcome.</param>
    /// <returns>The label.</returns>
    public static Label Binary(bool value) => new(LabelKind.Binary, value ? 1.0 : 0.0, null);

    /// <summary>Creates a categorical label.</summary>
    /// <param name="value">The class or category; not empty.</param>
    /// <returns>The label.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public static Label Categorical(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return new(LabelKind.Categorical, double.NaN, value);
    }

    /// <summary>Creates a numeric label.</summary>
    /// <param name="value">A finite number.</param>
    /// <returns>The label.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static Label Numeric(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A numeric label must be finite.");
        }

        return new(LabelKind.Numeric, value, null);
    }

    /// <summary>Converts a boolean to a binary label.</summary>
    /// <param name="value">The outcome.</param>
    public static implicit operator Label(bool value) => Binary(value);

    /// <summary>Gets the binary value.</summary>
    /// <returns>The outcome.</returns>
    /// <exception cref="InvalidOperationException">The label is not binary.</exception>
    public bool AsBoolean() => Kind == LabelKind.Binary
        ? _number != 0.0
        : throw new InvalidOperationException($"The label is {Kind}, not Binary.");

    /// <summary>Gets the numeric value; a binary label reads as 0 or 1.</summary>
    /// <returns>The number.</returns>
    /// <exception cref="InvalidOperationException">The label is neither numeric nor binary.</exception>
    public double AsDouble() => Kind is LabelKind.Numeric or LabelKind.Binary
        ? _number
        : throw new InvalidOperationException($"The label is {Kind}, not Numeric.");

    /// <summary>Gets the categorical value.</summary>
    /// <returns>The category.</returns>
    /// <exception cref="InvalidOperationException">The label is not categorical.</exception>
    public string AsCategory() => Kind == LabelKind.Categorical
        ? _category!
        : throw new InvalidOperationException($"The label is {Kind}, not Categorical.");

    /// <inheritdoc />
    public bool Equals(Label other) =>
        Kind == other.Kind && _number.Equals(other._number) && string.Equals(_category, other._category, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Label other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _number, _category);

    /// <summary>Compares two labels for equality.</summary>
    /// <param name="left">The first label.</param>
    /// <param name="right">The second label.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(Label left, Label right) => left.Equals(right);

    /// <summary>Compares two labels for inequality.</summary>
    /// <param name="left">The first label.</param>
    /// <param name="right">The second label.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Label left, Label right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        LabelKind.Binary => _number != 0.0 ? "true" : "false",
        LabelKind.Categorical => _category!,
        LabelKind.Numeric => _number.ToString("R", CultureInfo.InvariantCulture),
        _ => "none",
    };
}
