using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// A named metric with a direction and the tasks it measures (<see cref="Supports"/>), as promotion gates compare a
/// candidate with the champion, retrain policies read the rolling window and by-group evaluation reports it.
/// Classification, binary and multiclass: <see cref="Accuracy"/>, <see cref="BalancedAccuracy"/>, <see cref="MacroF1"/>,
/// <see cref="MatthewsCorrelation"/> and <see cref="LogLoss"/>. Binary only: <see cref="Precision"/>,
/// <see cref="Recall"/>, <see cref="F1"/>, <see cref="FalsePositiveRate"/>, <see cref="SelectionRate"/>,
/// <see cref="RocAuc"/>, <see cref="AveragePrecision"/> and <see cref="BrierScore"/>. Regression:
/// <see cref="MeanAbsoluteError"/>, <see cref="MeanSquaredError"/>, <see cref="RootMeanSquaredError"/> and <see cref="R2"/>.
/// </summary>
/// <remarks>
/// <see cref="Compute(ModelTask, ReadOnlySpan{Label}, ReadOnlySpan{PredictionOutput}, ReadOnlySpan{double})"/> takes the
/// true labels and the model's outputs of any task the metric supports, and computes the value with
/// <see cref="ConfusionMatrix"/>, <see cref="BinaryClassificationMetrics"/>, <see cref="MulticlassMetrics"/> or
/// <see cref="RegressionMetrics"/>. A label metric reads the predicted labels; a score metric (<see cref="ReadsScores"/>)
/// reads the binary positive-class probability or the multiclass per-class probabilities, and refuses outputs without
/// them rather than reading hard labels as probabilities. Instances are immutable singletons and thread-safe.
/// </remarks>
public sealed class Metric
{
    private readonly BinaryEvaluator? _binary;
    private readonly MulticlassEvaluator? _multiclass;
    private readonly RegressionEvaluator? _regression;
    private readonly Requirement _requirement;

    private Metric(
        string name,
        bool higherIsBetter,
        bool readsScores,
        Requirement requirement,
        BinaryEvaluator? binary,
        MulticlassEvaluator? multiclass = null,
        RegressionEvaluator? regression = null)
    {
        Name = name;
        HigherIsBetter = higherIsBetter;
        ReadsScores = readsScores;
        _requirement = requirement;
        _binary = binary;
        _multiclass = multiclass;
        _regression = regression;
    }

    private delegate double BinaryEvaluator(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> scores, ReadOnlySpan<double> weights);

    private delegate double MulticlassEvaluator(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, ReadOnlySpan<double> probabilities, int classCount, ReadOnlySpan<double> weights);

    private delegate double RegressionEvaluator(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> weights);

    private delegate double ScoreMetric(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores, ReadOnlySpan<double> weights);

    /// <summary>What a metric's denominator needs from the examples (with positive weight) to be defined.</summary>
    private enum Requirement
    {
        None,
        Positives,
        Negatives,
        BothClasses,
        PredictedPositives,
        AnyPositive,
        TwoExamples,
    }

    /// <summary>Gets the fraction of correct predicted labels (<c>"accuracy"</c>; higher is better; binary and multiclass).</summary>
    public static Metric Accuracy { get; } = Labels("accuracy", true, Requirement.None, m => m.Accuracy);

    /// <summary>Gets the mean of the per-class recalls over the classes present (<c>"balanced_accuracy"</c>; higher is better; binary and multiclass).</summary>
    public static Metric BalancedAccuracy { get; } = Labels("balanced_accuracy", true, Requirement.None, m => m.BalancedAccuracy);

    /// <summary>Gets the unweighted mean of the per-class F1 scores, a class with an empty denominator counting 0 (<c>"f1_macro"</c>; higher is better; binary and multiclass).</summary>
    public static Metric MacroF1 { get; } = Labels("f1_macro", true, Requirement.None, m => m.F1(ClassificationAveraging.Macro));

    /// <summary>Gets the Matthews correlation coefficient, in its multiclass form for more classes (<c>"matthews_corrcoef"</c>; higher is better; binary and multiclass).</summary>
    public static Metric MatthewsCorrelation { get; } = Labels("matthews_corrcoef", true, Requirement.None, m => m.MatthewsCorrelation);

    /// <summary>Gets the share of predicted positives that are positive (<c>"precision"</c>; higher is better; binary; undefined without predicted positives).</summary>
    public static Metric Precision { get; } = BinaryLabels("precision", true, Requirement.PredictedPositives, m => m.Precision(1));

    /// <summary>Gets the share of positives predicted positive, the true positive rate (<c>"recall"</c>; higher is better; binary; undefined without positives).</summary>
    public static Metric Recall { get; } = BinaryLabels("recall", true, Requirement.Positives, m => m.Recall(1));

    /// <summary>Gets the harmonic mean of precision and recall of the positive class (<c>"f1"</c>; higher is better; binary; undefined with neither positives nor predicted positives).</summary>
    public static Metric F1 { get; } = BinaryLabels("f1", true, Requirement.AnyPositive, m => m.F1(1));

    /// <summary>Gets the share of negatives predicted positive (<c>"false_positive_rate"</c>; lower is better; binary; undefined without negatives).</summary>
    public static Metric FalsePositiveRate { get; } = BinaryLabels("false_positive_rate", false, Requirement.Negatives, m => m[0, 1] / (m[0, 0] + m[0, 1]));

    /// <summary>
    /// Gets the share of examples predicted positive (<c>"selection_rate"</c>; binary), the quantity of demographic
    /// parity. It has no better direction; <see cref="HigherIsBetter"/> is <see langword="true"/> only so that gates can use it.
    /// </summary>
    public static Metric SelectionRate { get; } = BinaryLabels("selection_rate", true, Requirement.None, m => (m[0, 1] + m[1, 1]) / m.TotalWeight);

    /// <summary>Gets the area under the ROC curve of the scores (<c>"roc_auc"</c>; higher is better; binary; undefined with one class).</summary>
    public static Metric RocAuc { get; } = Scores("roc_auc", true, Requirement.BothClasses, BinaryClassificationMetrics.RocAuc);

    /// <summary>Gets the average precision of the scores (<c>"average_precision"</c>; higher is better; binary; undefined without positives).</summary>
    public static Metric AveragePrecision { get; } = Scores("average_precision", true, Requirement.Positives, BinaryClassificationMetrics.AveragePrecision);

    /// <summary>
    /// Gets the log loss of the predicted probabilities (<c>"log_loss"</c>; lower is better): of the positive-class
    /// probability for binary, of the per-class probabilities for multiclass.
    /// </summary>
    public static Metric LogLoss { get; } = new(
        "log_loss",
        higherIsBetter: false,
        readsScores: true,
        Requirement.None,
        (actual, _, scores, weights) => BinaryClassificationMetrics.LogLoss(actual, scores, weights),
        (actual, _, probabilities, classes, weights) => MulticlassMetrics.LogLoss(actual, probabilities, classes, weights));

    /// <summary>Gets the Brier score of the positive-class probabilities (<c>"brier_score"</c>; lower is better; binary).</summary>
    public static Metric BrierScore { get; } = Scores("brier_score", false, Requirement.None, BinaryClassificationMetrics.BrierScore);

    /// <summary>Gets the mean absolute error, in the target's units (<c>"mean_absolute_error"</c>; lower is better; regression).</summary>
    public static Metric MeanAbsoluteError { get; } = Values("mean_absolute_error", false, Requirement.None, RegressionMetrics.MeanAbsoluteError);

    /// <summary>Gets the mean squared error (<c>"mean_squared_error"</c>; lower is better; regression).</summary>
    public static Metric MeanSquaredError { get; } = Values("mean_squared_error", false, Requirement.None, RegressionMetrics.MeanSquaredError);

    /// <summary>Gets the root mean squared error, in the target's units (<c>"root_mean_squared_error"</c>; lower is better; regression).</summary>
    public static Metric RootMeanSquaredError { get; } = Values("root_mean_squared_error", false, Requirement.None, RegressionMetrics.RootMeanSquaredError);

    /// <summary>Gets the coefficient of determination R² (<c>"r2"</c>; higher is better; regression; undefined for fewer than two examples).</summary>
    public static Metric R2 { get; } = Values("r2", true, Requirement.TwoExamples, RegressionMetrics.R2);

    /// <summary>Gets every built-in metric, in the order they are documented.</summary>
    public static IReadOnlyList<Metric> All { get; } =
    [
        Accuracy, BalancedAccuracy, MacroF1, MatthewsCorrelation, Precision, Recall, F1, FalsePositiveRate, SelectionRate,
        RocAuc, AveragePrecision, LogLoss, BrierScore, MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError, R2,
    ];

    /// <summary>Gets the metric's stable name, in scikit-learn's snake_case style, used in gate results and reports.</summary>
    /// <value>For example <c>"accuracy"</c>, <c>"roc_auc"</c> or <c>"log_loss"</c>; given with each static instance.</value>
    public string Name { get; }

    /// <summary>Gets a value indicating whether a larger value means a better model.</summary>
    /// <value><see langword="false"/> for the losses, the errors and the false positive rate; <see langword="true"/> otherwise.</value>
    public bool HigherIsBetter { get; }

    /// <summary>Gets a value indicating whether the metric reads probabilities (otherwise it reads the predicted labels or values).</summary>
    /// <value><see langword="true"/> for <see cref="RocAuc"/>, <see cref="AveragePrecision"/>, <see cref="LogLoss"/> and <see cref="BrierScore"/>.</value>
    public bool ReadsScores { get; }

    /// <summary>Gets whether the metric measures models of a task.</summary>
    /// <param name="task">The task's kind.</param>
    /// <returns>Whether <see cref="Compute(ModelTask, ReadOnlySpan{Label}, ReadOnlySpan{PredictionOutput}, ReadOnlySpan{double})"/> accepts that task.</returns>
    public bool Supports(ModelTaskKind task) => task switch
    {
        ModelTaskKind.Binary => _binary is not null,
        ModelTaskKind.Multiclass => _multiclass is not null,
        ModelTaskKind.Regression => _regression is not null,
        _ => false,
    };

    /// <summary>Computes the metric on labelled outputs of a task.</summary>
    /// <param name="task">The task the labels and outputs are of; one the metric <see cref="Supports"/>.</param>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The model's outputs, one per label.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The value. A binary rate whose denominator is empty is 0, as scikit-learn's <c>zero_division=0</c>.</returns>
    /// <exception cref="ArgumentException">
    /// The task is not supported, the spans differ in length or are empty, a label or output does not fit the task,
    /// a score metric meets an output without probabilities, or the classes the metric needs are missing.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative or not finite.</exception>
    public double Compute(ModelTask task, ReadOnlySpan<Label> actual, ReadOnlySpan<PredictionOutput> predicted, ReadOnlySpan<double> sampleWeights = default)
    {
        CheckBatch(task, actual, predicted);
        switch (task.Kind)
        {
            case ModelTaskKind.Binary:
                var binary = BinaryColumns.From(task, actual, predicted, ReadsScores ? this : null);
                return _binary!(binary.Actual, binary.Predicted, binary.Scores, sampleWeights);
            case ModelTaskKind.Multiclass:
                var classes = task.Classes.Count;
                var actualClasses = new int[actual.Length];
                var predictedClasses = new int[actual.Length];
                var probabilities = ReadsScores ? new double[actual.Length * classes] : [];
                for (var i = 0; i < actual.Length; i++)
                {
                    actualClasses[i] = task.IndexOf(Checked(task, actual[i], i, nameof(actual)).AsCategory());
                    predictedClasses[i] = task.IndexOf(Checked(task, predicted[i].Label, i, nameof(predicted)).AsCategory());
                    if (ReadsScores)
                    {
                        RequireScores(predicted[i].Probabilities.Length == classes, i);
                        predicted[i].Probabilities.CopyTo(probabilities.AsSpan(i * classes));
                    }
                }

                return _multiclass!(actualClasses, predictedClasses, probabilities, classes, sampleWeights);
            default:
                var actualValues = new double[actual.Length];
                var predictedValues = new double[actual.Length];
                for (var i = 0; i < actual.Length; i++)
                {
                    actualValues[i] = Checked(task, actual[i], i, nameof(actual)).AsDouble();
                    predictedValues[i] = Checked(task, predicted[i].Label, i, nameof(predicted)).AsDouble();
                }

                return _regression!(actualValues, predictedValues, sampleWeights);
        }
    }

    /// <summary>Computes a binary metric on one batch of labelled predictions, as columns.</summary>
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
    /// <exception cref="InvalidOperationException">The metric does not measure binary models (a regression metric).</exception>
    /// <exception cref="ArgumentException">
    /// A span the metric reads differs in length from <paramref name="actual"/> or is empty, a span it does not read
    /// is neither empty nor as long as <paramref name="actual"/>, the weights are all zero, or (ROC AUC, average
    /// precision) the classes it needs are missing.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite, (losses) outside [0, 1], or a weight is negative or not finite.</exception>
    public double Compute(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> scores, ReadOnlySpan<double> sampleWeights = default)
    {
        var binary = _binary ?? throw new InvalidOperationException($"{Name} does not measure binary models.");
        if (ReadsScores)
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), predicted.Length, nameof(predicted));
        }
        else
        {
            MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), scores.Length, nameof(scores));
        }

        return binary(actual, predicted, scores, sampleWeights);
    }

    /// <summary>
    /// Says why the metric is undefined on these labelled outputs — a denominator with no weight, or too few examples —
    /// or returns <see langword="null"/> when it is defined.
    /// </summary>
    /// <param name="task">The task, one the metric <see cref="Supports"/>.</param>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The model's outputs, one per label.</param>
    /// <param name="sampleWeights">The example weights, or empty for weight 1 each.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentException">As <see cref="Compute(ModelTask, ReadOnlySpan{Label}, ReadOnlySpan{PredictionOutput}, ReadOnlySpan{double})"/>.</exception>
    public string? UndefinedReason(ModelTask task, ReadOnlySpan<Label> actual, ReadOnlySpan<PredictionOutput> predicted, ReadOnlySpan<double> sampleWeights = default)
    {
        CheckBatch(task, actual, predicted);
        if (task.Kind == ModelTaskKind.Binary)
        {
            var binary = BinaryColumns.From(task, actual, predicted, scoresOf: null);
            return UndefinedReason(binary.Actual, binary.Predicted, sampleWeights);
        }

        for (var i = 0; i < actual.Length; i++)
        {
            Checked(task, actual[i], i, nameof(actual));
            Checked(task, predicted[i].Label, i, nameof(predicted));
        }

        return _requirement == Requirement.TwoExamples && actual.Length < 2 ? "fewer than two examples" : null;
    }

    /// <summary>
    /// Says why a binary metric is undefined on these examples — a denominator with no weight — or returns
    /// <see langword="null"/> when it is defined. The spans are those of <see cref="Compute(ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{double}, ReadOnlySpan{double})"/>, already checked.
    /// </summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The predicted labels; may be empty for a score metric.</param>
    /// <param name="sampleWeights">The example weights, or empty for weight 1 each.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? UndefinedReason(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> sampleWeights)
    {
        if (_requirement is Requirement.None or Requirement.TwoExamples)
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
            predictedPositives += !ReadsScores && predicted[i] ? w : 0;
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

    /// <summary>A label metric of both classification tasks, read from the confusion matrix.</summary>
    private static Metric Labels(string name, bool higherIsBetter, Requirement requirement, Func<ConfusionMatrix, double> read) =>
        new(
            name,
            higherIsBetter,
            readsScores: false,
            requirement,
            (actual, predicted, _, weights) => read(ConfusionMatrix.From(actual, predicted, weights)),
            (actual, predicted, _, classes, weights) => read(ConfusionMatrix.From(actual, predicted, classes, weights)));

    private static Metric BinaryLabels(string name, bool higherIsBetter, Requirement requirement, Func<ConfusionMatrix, double> read) =>
        new(name, higherIsBetter, readsScores: false, requirement, (actual, predicted, _, weights) => read(ConfusionMatrix.From(actual, predicted, weights)));

    private static Metric Scores(string name, bool higherIsBetter, Requirement requirement, ScoreMetric compute) =>
        new(name, higherIsBetter, readsScores: true, requirement, (actual, _, scores, weights) => compute(actual, scores, weights));

    private static Metric Values(string name, bool higherIsBetter, Requirement requirement, RegressionEvaluator compute) =>
        new(name, higherIsBetter, readsScores: false, requirement, binary: null, regression: compute);

    /// <summary>Checks what every computation on labels and outputs needs: a task the metric measures and one output per label, at least one.</summary>
    private void CheckBatch(ModelTask task, ReadOnlySpan<Label> actual, ReadOnlySpan<PredictionOutput> predicted)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Supports(task.Kind))
        {
            throw new ArgumentException($"{Name} does not measure {task.Kind} models.", nameof(task));
        }

        MetricArguments.RequireSameLength(actual.Length, nameof(actual), predicted.Length, nameof(predicted));
        MetricArguments.RequireNotEmpty(actual.Length, nameof(actual));
    }

    private static Label Checked(ModelTask task, Label label, int index, string paramName) =>
        task.Accepts(label, out var problem)
            ? label
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{paramName}[{index}]: {problem}."), paramName);

    private void RequireScores(bool present, int index)
    {
        if (!present)
        {
            // Reading hard labels as probabilities would make ROC AUC or log loss of 0/1 outputs: a different metric under the same name.
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"predicted[{index}] carries no score or probabilities, and {Name} reads them; use a label metric such as accuracy"));
        }
    }

    /// <summary>A binary batch as columns: the labels as booleans and (for a score metric) the positive-class probabilities.</summary>
    private readonly ref struct BinaryColumns(bool[] actual, bool[] predicted, double[] scores)
    {
        public ReadOnlySpan<bool> Actual => actual;

        public ReadOnlySpan<bool> Predicted => predicted;

        public ReadOnlySpan<double> Scores => scores;

        public static BinaryColumns From(ModelTask task, ReadOnlySpan<Label> actual, ReadOnlySpan<PredictionOutput> outputs, Metric? scoresOf)
        {
            var truth = new bool[actual.Length];
            var labels = new bool[actual.Length];
            var scores = scoresOf is null ? [] : new double[actual.Length];
            for (var i = 0; i < actual.Length; i++)
            {
                truth[i] = Checked(task, actual[i], i, nameof(actual)).AsBoolean();
                labels[i] = Checked(task, outputs[i].Label, i, "predicted").AsBoolean();
                if (scoresOf is not null)
                {
                    scoresOf.RequireScores(!double.IsNaN(outputs[i].Score), i);
                    scores[i] = outputs[i].Score;
                }
            }

            return new BinaryColumns(truth, labels, scores);
        }
    }

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
