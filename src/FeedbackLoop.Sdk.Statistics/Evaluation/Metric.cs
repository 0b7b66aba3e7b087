using System.Globalization;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// A named binary-classification metric with a direction, as promotion gates compare a candidate with the champion and
/// by-group evaluation reports it: the label metrics <see cref="Accuracy"/>, <see cref="BalancedAccuracy"/>,
/// <see cref="Precision"/>, <see cref="Recall"/>, <see cref="F1"/>, <see cref="FalsePositiveRate"/>,
/// <see cref="SelectionRate"/> and <see cref="MatthewsCorrelation"/>, and the score metrics <see cref="RocAuc"/>,
/// <see cref="AveragePrecision"/>, <see cref="LogLoss"/> and <see cref="BrierScore"/>.
/// </summary>
/// <remarks>
/// Each instance computes its value with <see cref="ConfusionMatrix"/> or <see cref="BinaryClassificationMetrics"/>
/// from the inputs a gate has on its holdout: the true labels, the predicted labels and the predicted scores
/// (positive-class probabilities for a probabilistic model). A label metric reads the predicted labels, a score metric
/// the scores; the span a metric does not read may be empty. Instances are immutable singletons and thread-safe.
/// </remarks>
public sealed class Metric
{
    private readonly Evaluator _evaluate;
    private readonly bool _readsScores;
    private readonly Requirement _requirement;

    private Metric(string name, bool higherIsBetter, bool readsScores, Requirement requirement, Evaluator evaluate)
    {
        Name = name;
        HigherIsBetter = higherIsBetter;
        _readsScores = readsScores;
        _requirement = requirement;
        _evaluate = evaluate;
    }

    private delegate double Evaluator(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> scores, ReadOnlySpan<double> weights);

    /// <summary>What a metric's denominator needs from the examples (with positive weight) to be defined.</summary>
    private enum Requirement
    {
        None,
        Positives,
        Negatives,
        BothClasses,
        PredictedPositives,
        AnyPositive,
    }

    /// <summary>Gets the fraction of correct predicted labels (<c>"accuracy"</c>; higher is better).</summary>
    public static Metric Accuracy { get; } = Labels("accuracy", true, Requirement.None, m => m.Accuracy);

    /// <summary>Gets the mean of the recalls of the two classes (<c>"balanced_accuracy"</c>; higher is better).</summary>
    public static Metric BalancedAccuracy { get; } = Labels("balanced_accuracy", true, Requirement.None, m => m.BalancedAccuracy);

    /// <summary>Gets the share of predicted positives that are positive (<c>"precision"</c>; higher is better; undefined without predicted positives).</summary>
    public static Metric Precision { get; } = Labels("precision", true, Requirement.PredictedPositives, m => m.Precision(1));

    /// <summary>Gets the share of positives predicted positive, the true positive rate (<c>"recall"</c>; higher is better; undefined without positives).</summary>
    public static Metric Recall { get; } = Labels("recall", true, Requirement.Positives, m => m.Recall(1));

    /// <summary>Gets the harmonic mean of precision and recall (<c>"f1"</c>; higher is better; undefined with neither positives nor predicted positives).</summary>
    public static Metric F1 { get; } = Labels("f1", true, Requirement.AnyPositive, m => m.F1(1));

    /// <summary>Gets the share of negatives predicted positive (<c>"false_positive_rate"</c>; lower is better; undefined without negatives).</summary>
    public static Metric FalsePositiveRate { get; } = Labels("false_positive_rate", false, Requirement.Negatives, m => m[0, 1] / (m[0, 0] + m[0, 1]));

    /// <summary>
    /// Gets the share of examples predicted positive (<c>"selection_rate"</c>), the quantity of demographic parity. It has
    /// no better direction; <see cref="HigherIsBetter"/> is <see langword="true"/> only so that gates can use it.
    /// </summary>
    public static Metric SelectionRate { get; } = Labels("selection_rate", true, Requirement.None, m => (m[0, 1] + m[1, 1]) / m.TotalWeight);

    /// <summary>Gets the Matthews correlation coefficient (<c>"matthews_corrcoef"</c>; higher is better).</summary>
    public static Metric MatthewsCorrelation { get; } = Labels("matthews_corrcoef", true, Requirement.None, m => m.MatthewsCorrelation);

    /// <summary>Gets the area under the ROC curve of the scores (<c>"roc_auc"</c>; higher is better; undefined with one class).</summary>
    public static Metric RocAuc { get; } = Scores("roc_auc", true, Requirement.BothClasses, BinaryClassificationMetrics.RocAuc);

    /// <summary>Gets the average precision of the scores (<c>"average_precision"</c>; higher is better; undefined without positives).</summary>
    public static Metric AveragePrecision { get; } = Scores("average_precision", true, Requirement.Positives, BinaryClassificationMetrics.AveragePrecision);

    /// <summary>Gets the log loss of the scores read as probabilities (<c>"log_loss"</c>; lower is better).</summary>
    public static Metric LogLoss { get; } = Scores("log_loss", false, Requirement.None, BinaryClassificationMetrics.LogLoss);

    /// <summary>Gets the Brier score of the scores read as probabilities (<c>"brier_score"</c>; lower is better).</summary>
    public static Metric BrierScore { get; } = Scores("brier_score", false, Requirement.None, BinaryClassificationMetrics.BrierScore);

    /// <summary>Gets the metric's stable name, in scikit-learn's snake_case style, used in gate results and reports.</summary>
    /// <value>For example <c>"accuracy"</c>, <c>"roc_auc"</c> or <c>"log_loss"</c>; given with each static instance.</value>
    public string Name { get; }

    /// <summary>Gets a value indicating whether a larger value means a better model.</summary>
    /// <value><see langword="false"/> for the losses and the false positive rate; <see langword="true"/> otherwise.</value>
    public bool HigherIsBetter { get; }

    /// <summary>Computes the metric on one batch of labelled predictions.</summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The predicted labels; read by the label metrics, and may be empty for the score metrics.</param>
    /// <param name="scores">
    /// The predicted positive-class scores; read by the score metrics, and may be empty for the label metrics.
    /// <see cref="LogLoss"/> and <see cref="BrierScore"/> require probabilities in [0, 1].
    /// </param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>
    /// The metric's value. A rate whose denominator is empty is 0, as scikit-learn's <c>zero_division=0</c>
    /// (<see cref="ConfusionMatrix"/>); by-group evaluation reports such a value as undefined instead.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// A span the metric reads differs in length from <paramref name="actual"/> or is empty, a span it does not read
    /// is neither empty nor as long as <paramref name="actual"/>, the weights are all zero, or (ROC AUC, average
    /// precision) the classes it needs are missing.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite, (losses) outside [0, 1], or a weight is negative or not finite.</exception>
    public double Compute(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> scores, ReadOnlySpan<double> sampleWeights = default)
    {
        if (_readsScores)
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), predicted.Length, nameof(predicted));
        }
        else
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), scores.Length, nameof(scores));
        }

        return _evaluate(actual, predicted, scores, sampleWeights);
    }

    /// <summary>Gets a value indicating whether the metric reads the scores (otherwise it reads the predicted labels).</summary>
    /// <value><see langword="true"/> for <see cref="RocAuc"/>, <see cref="AveragePrecision"/>, <see cref="LogLoss"/> and <see cref="BrierScore"/>.</value>
    public bool ReadsScores => _readsScores;

    /// <summary>
    /// Says why the metric is undefined on these examples — a denominator with no weight — or returns
    /// <see langword="null"/> when it is defined. The spans are those of <see cref="Compute"/>, already checked.
    /// </summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The predicted labels; may be empty for a score metric.</param>
    /// <param name="sampleWeights">The example weights, or empty for weight 1 each.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? UndefinedReason(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> sampleWeights)
    {
        if (_requirement == Requirement.None)
        {
            return null;
        }

        double positives = 0;
        double negatives = 0;
        double predictedPositives = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double w = sampleWeights.IsEmpty ? 1.0 : sampleWeights[i];
            positives += actual[i] ? w : 0;
            negatives += actual[i] ? 0 : w;
            predictedPositives += !_readsScores && predicted[i] ? w : 0;
        }

        return _requirement switch
        {
            Requirement.Positives when positives == 0 => "no positive examples",
            Requirement.Negatives when negatives == 0 => "no negative examples",
            Requirement.BothClasses when positives == 0 || negatives == 0 => "only one class present",
            Requirement.PredictedPositives when predictedPositives == 0 => "no predicted positives",
            Requirement.AnyPositive when positives == 0 && predictedPositives == 0 => "no positive examples and no predicted positives",
            _ => null,
        };
    }

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

    private static Metric Labels(string name, bool higherIsBetter, Requirement requirement, Func<ConfusionMatrix, double> read) =>
        new(name, higherIsBetter, readsScores: false, requirement, (actual, predicted, _, weights) => read(ConfusionMatrix.From(actual, predicted, weights)));

    private static Metric Scores(string name, bool higherIsBetter, Requirement requirement, ScoreMetric compute) =>
        new(name, higherIsBetter, readsScores: true, requirement, (actual, _, scores, weights) => compute(actual, scores, weights));

    private delegate double ScoreMetric(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores, ReadOnlySpan<double> weights);

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
