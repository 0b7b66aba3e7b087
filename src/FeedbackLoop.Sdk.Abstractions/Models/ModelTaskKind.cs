namespace FeedbackLoop.Models;

/// <summary>What a model predicts; see <see cref="ModelTask"/>.</summary>
public enum ModelTaskKind
{
    /// <summary>A yes/no outcome: <see cref="LabelKind.Binary"/> labels, a positive-class probability as the score.</summary>
    Binary,

    /// <summary>One of a declared set of classes: <see cref="LabelKind.Categorical"/> labels, per-class probabilities.</summary>
    Multiclass,

    /// <summary>A real number: <see cref="LabelKind.Numeric"/> labels, the predicted value.</summary>
    Regression,
}
