namespace FeedbackLoop;

/// <summary>The type of value a <see cref="Label"/> holds.</summary>
public enum LabelKind
{
    /// <summary>No value.</summary>
    None,

    /// <summary>A yes/no outcome (binary classification, a binary flag).</summary>
    Binary,

    /// <summary>A class name or category (multiclass classification, a flag reason).</summary>
    Categorical,

    /// <summary>A real number (regression target, rating).</summary>
    Numeric,
}
