using System.Globalization;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// A named binary-classification metric with a direction, as promotion gates compare a candidate with the champion:
/// <see cref="Accuracy"/>, <see cref="RocAuc"/>, <see cref="LogLoss"/> and <see cref="BrierScore"/>.
/// </summary>
/// <remarks>
/// Each instance computes its value with <see cref="BinaryClassificationMetrics"/> from the inputs a gate has on
/// its holdout: the true labels, the predicted labels and the predicted scores (positive-class probabilities for a
/// probabilistic model). Instances are immutable singletons and thread-safe.
/// </remarks>
public sealed class Metric
{
    private readonly Evaluator _evaluate;

    private Metric(string name, bool higherIsBetter, Evaluator evaluate)
    {
        Name = name;
        HigherIsBetter = higherIsBetter;
        _evaluate = evaluate;
    }

    private delegate double Evaluator(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> scores);

    /// <summary>Gets the fraction of correct predicted labels (<c>"accuracy"</c>; higher is better).</summary>
    /// <value>Computed from <c>actual</c> and <c>predicted</c>; <c>scores</c> is not read.</value>
    public static Metric Accuracy { get; } = new(
        "accuracy",
        higherIsBetter: true,
        static (actual, predicted, scores) =>
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), scores.Length, nameof(scores));
            return BinaryClassificationMetrics.Accuracy(actual, predicted);
        });

    /// <summary>Gets the area under the ROC curve of the scores (<c>"roc_auc"</c>; higher is better).</summary>
    /// <value>Computed from <c>actual</c> and <c>scores</c>; <c>predicted</c> is not read.</value>
    public static Metric RocAuc { get; } = new(
        "roc_auc",
        higherIsBetter: true,
        static (actual, predicted, scores) =>
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), predicted.Length, nameof(predicted));
            return BinaryClassificationMetrics.RocAuc(actual, scores);
        });

    /// <summary>Gets the log loss of the scores read as probabilities (<c>"log_loss"</c>; lower is better).</summary>
    /// <value>Computed from <c>actual</c> and <c>scores</c> (probabilities in [0, 1]); <c>predicted</c> is not read.</value>
    public static Metric LogLoss { get; } = new(
        "log_loss",
        higherIsBetter: false,
        static (actual, predicted, scores) =>
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), predicted.Length, nameof(predicted));
            return BinaryClassificationMetrics.LogLoss(actual, scores);
        });

    /// <summary>Gets the Brier score of the scores read as probabilities (<c>"brier_score"</c>; lower is better).</summary>
    /// <value>Computed from <c>actual</c> and <c>scores</c> (probabilities in [0, 1]); <c>predicted</c> is not read.</value>
    public static Metric BrierScore { get; } = new(
        "brier_score",
        higherIsBetter: false,
        static (actual, predicted, scores) =>
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), predicted.Length, nameof(predicted));
            return BinaryClassificationMetrics.BrierScore(actual, scores);
        });

    /// <summary>Gets the metric's stable name, in scikit-learn's snake_case style, used in gate results and reports.</summary>
    /// <value>One of <c>"accuracy"</c>, <c>"roc_auc"</c>, <c>"log_loss"</c>, <c>"brier_score"</c>.</value>
    public string Name { get; }

    /// <summary>Gets a value indicating whether a larger value means a better model.</summary>
    /// <value><see langword="true"/> for accuracy and ROC AUC; <see langword="false"/> for the losses.</value>
    public bool HigherIsBetter { get; }

    /// <summary>Computes the metric on one batch of labelled predictions.</summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The predicted labels; read by <see cref="Accuracy"/> only, and may be empty for the others.</param>
    /// <param name="scores">
    /// The predicted positive-class scores; read by every metric except <see cref="Accuracy"/>, which accepts an
    /// empty span. <see cref="LogLoss"/> and <see cref="BrierScore"/> require probabilities in [0, 1].
    /// </param>
    /// <returns>The metric's value, unweighted.</returns>
    /// <exception cref="ArgumentException">
    /// A span the metric reads differs in length from <paramref name="actual"/> or is empty, a span it does not read
    /// is neither empty nor as long as <paramref name="actual"/>, or (ROC AUC) only one class is present.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite, or (losses) outside [0, 1].</exception>
    public double Compute(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> scores) =>
        _evaluate(actual, predicted, scores);

    /// <summary>
    /// Decides whether a candidate's value is no worse than the champion's, allowing the candidate to trail by at most
    /// <paramref name="tolerance"/> in this metric's direction.
    /// </summary>
    /// <param name="candidate">The candidate model's value.</param>
    /// <param name="champion">The champion model's value on the same data.</param>
    /// <param name="tolerance">How much worse the candidate may be, in the metric's own units; 0 requires at least a tie.</param>
    /// <returns>
    /// <see langword="true"/> when <c>candidate ≥ champion − tolerance</c> for a higher-is-better metric, or
    /// <c>candidate ≤ champion + tolerance</c> for a lower-is-better one.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="candidate"/> or <paramref name="champion"/> is NaN or infinite, or <paramref name="tolerance"/>
    /// is negative, NaN or infinite.
    /// </exception>
    public bool IsNoWorse(double candidate, double champion, double tolerance)
    {
        RequireFinite(candidate, nameof(candidate));
        RequireFinite(champion, nameof(champion));
        if (!(tolerance >= 0.0) || double.IsPositiveInfinity(tolerance))
        {
            throw new ArgumentOutOfRangeException(
                nameof(tolerance),
                string.Create(CultureInfo.InvariantCulture, $"tolerance is {tolerance}; it must be finite and non-negative."));
        }

        return HigherIsBetter ? candidate >= champion - tolerance : candidate <= champion + tolerance;
    }

    /// <summary>Returns the metric's <see cref="Name"/>.</summary>
    /// <returns>The name, for example <c>"roc_auc"</c>.</returns>
    public override string ToString() => Name;

    private void RequireFinite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                string.Create(CultureInfo.InvariantCulture, $"{paramName} is {value}; the {Name} values compared must be finite."));
        }
    }
}
