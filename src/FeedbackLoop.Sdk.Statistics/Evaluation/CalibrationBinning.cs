namespace FeedbackLoop.Evaluation;

/// <summary>How the probability axis of a reliability diagram is split into bins (scikit-learn's <c>strategy</c>).</summary>
public enum CalibrationBinning
{
    /// <summary>Bins of equal width over [0, 1] (<c>strategy="uniform"</c>).</summary>
    Uniform,

    /// <summary>Bins holding about equal numbers of examples, edges at the probabilities' quantiles (<c>strategy="quantile"</c>).</summary>
    Quantile,
}
