namespace FeedbackLoop.Evaluation;

/// <summary>How per-class precision, recall and F1 are combined into one number, as scikit-learn's <c>average</c> argument.</summary>
public enum ClassificationAveraging
{
    /// <summary>
    /// From the totals over all classes: true positives over all predictions. For single-label data with every class
    /// counted this equals accuracy (scikit-learn's <c>average="micro"</c>).
    /// </summary>
    Micro,

    /// <summary>The unweighted mean of the per-class values, every class counting alike (<c>average="macro"</c>).</summary>
    Macro,

    /// <summary>The mean of the per-class values weighted by each class's support, its true weight (<c>average="weighted"</c>).</summary>
    Weighted,
}
