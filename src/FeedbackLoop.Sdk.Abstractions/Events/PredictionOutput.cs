using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop;

/// <summary>
/// What a model returned for one input, by task (<see cref="ModelTask"/>): a binary label and the positive-class
/// probability, a class and the per-class probabilities, or a predicted value and, when the model gives one, its
/// prediction interval.
/// </summary>
/// <remarks>
/// Immutable: the factories copy the probabilities they are given, so a model that reuses its buffer cannot change a
/// recorded output. <c>default</c> is an output with no label. A store keeps an output as <see cref="Label"/>,
/// <see cref="Score"/> and <see cref="Values"/>, and <see cref="Restore"/> rebuilds it.
/// </remarks>
public readonly struct PredictionOutput : IEquatable<PredictionOutput>
{
    private readonly double[]? _values;
    private readonly double _score;
    private readonly bool _hasScore;

    private PredictionOutput(Label label, double score, double[]? values)
    {
        Label = label;
        _score = score;
        _hasScore = !double.IsNaN(score);
        _values = values;
    }

    /// <summary>Gets the predicted label: binary, a class, or the predicted value (<see cref="LabelKind.Numeric"/>).</summary>
    public Label Label { get; }

    /// <summary>Gets, for a binary classifier, the probability of the positive class; NaN when the model gives none and for the other tasks.</summary>
    public double Score => _hasScore ? _score : double.NaN;

    /// <summary>Gets, for a multiclass classifier, the probability of each class in the order of <see cref="ModelTask.Classes"/>; empty when the model gives none and for the other tasks.</summary>
    public ReadOnlySpan<double> Probabilities => Label.Kind == LabelKind.Numeric ? default : _values;

    /// <summary>Gets the predicted value of a regression model; NaN for the other tasks.</summary>
    public double Value => Label.Kind == LabelKind.Numeric ? Label.AsDouble() : double.NaN;

    /// <summary>Gets the prediction interval a regression model gave with its value; <see langword="null"/> when it gave none and for the other tasks.</summary>
    public (double Lower, double Upper)? Interval => Label.Kind == LabelKind.Numeric && _values is [var lower, var upper] ? (lower, upper) : null;

    /// <summary>
    /// Gets the output's numbers beyond its label and score, as a store keeps them for <see cref="Restore"/>: the
    /// per-class probabilities of a multiclass output, the interval's lower and upper bounds of a regression output
    /// that has one; empty otherwise.
    /// </summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>Creates the output of a binary classifier.</summary>
    /// <param name="probability">The probability of the positive class, in [0, 1].</param>
    /// <param name="threshold">The decision threshold. Default 0.5.</param>
    /// <returns>The output, labelled <see langword="true"/> when <paramref name="probability"/> is at least <paramref name="threshold"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is outside [0, 1] or NaN.</exception>
    public static PredictionOutput Binary(double probability, double threshold = 0.5)
    {
        if (!(probability >= 0.0 && probability <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A probability must lie in [0, 1].");
        }

        return new PredictionOutput(Label.Binary(probability >= threshold), probability, null);
    }

    /// <summary>Creates the output of a multiclass classifier: the most probable class (the first, on a tie) and a copy of the probabilities.</summary>
    /// <param name="task">The multiclass task whose classes the probabilities follow.</param>
    /// <param name="probabilities">One probability per class of <paramref name="task"/>, each in [0, 1], summing to 1 (within <see cref="ModelTask.ProbabilitySumTolerance"/>).</param>
    /// <returns>The output.</returns>
    /// <exception cref="ArgumentException"><paramref name="task"/> is not multiclass, or the probabilities do not match its classes or are not a distribution.</exception>
    public static PredictionOutput Multiclass(ModelTask task, ReadOnlySpan<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Kind != ModelTaskKind.Multiclass)
        {
            throw new ArgumentException($"The task is {task}, not multiclass.", nameof(task));
        }

        if (probabilities.Length != task.Classes.Count)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{probabilities.Length} probabilities were given for the task's {task.Classes.Count} classes."), nameof(probabilities));
        }

        if (ModelTask.ProbabilityProblem(probabilities) is { } problem)
        {
            throw new ArgumentException($"The probabilities are not a distribution: {problem}.", nameof(probabilities));
        }

        var best = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            best = probabilities[i] > probabilities[best] ? i : best;
        }

        return new PredictionOutput(Label.Categorical(task.Classes[best]), double.NaN, probabilities.ToArray());
    }

    /// <summary>Creates the output of a regression model.</summary>
    /// <param name="value">The predicted value; finite.</param>
    /// <returns>The output.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static PredictionOutput Regression(double value) => new(Label.Numeric(value), double.NaN, null);

    /// <summary>Creates the output of a regression model that gives a prediction interval with its value.</summary>
    /// <param name="value">The predicted value; finite.</param>
    /// <param name="lower">The interval's lower bound; finite, at most <paramref name="value"/>.</param>
    /// <param name="upper">The interval's upper bound; finite, at least <paramref name="value"/>.</param>
    /// <returns>The output.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A number is NaN or infinite, or the interval does not contain the value.</exception>
    public static PredictionOutput Regression(double value, double lower, double upper)
    {
        var label = Label.Numeric(value);
        if (ModelTask.IntervalProblem(value, [lower, upper]) is { } problem)
        {
            throw new ArgumentOutOfRangeException(double.IsFinite(lower) && lower <= value ? nameof(upper) : nameof(lower), problem);
        }

        return new PredictionOutput(label, double.NaN, [lower, upper]);
    }

    /// <summary>
    /// Rebuilds a recorded output exactly, from what <see cref="Label"/>, <see cref="Score"/> and
    /// <see cref="Values"/> returned — for a store or snapshot that keeps outputs as values. It does not check
    /// that the parts fit a task; the loop checks every output it records against its own (<see cref="ModelTask.Accepts(PredictionOutput, out string)"/>).
    /// </summary>
    /// <param name="label">The predicted label.</param>
    /// <param name="score">The positive-class probability of a binary output, or NaN.</param>
    /// <param name="values">What <see cref="Values"/> returned (copied): per-class probabilities, interval bounds, or empty.</param>
    /// <returns>The output, equal to the one recorded.</returns>
    public static PredictionOutput Restore(Label label, double score, ReadOnlySpan<double> values) =>
        new(label, score, values.IsEmpty ? null : values.ToArray());

    /// <summary>Creates an output that carries a label only (a classifier that gives no probabilities).</summary>
    /// <param name="label">The predicted label.</param>
    /// <returns>The output with no score or probabilities.</returns>
    public static PredictionOutput FromLabel(Label label) => new(label, double.NaN, null);

    /// <inheritdoc />
    public bool Equals(PredictionOutput other) =>
        Label == other.Label && Score.Equals(other.Score) && Values.SequenceEqual(other.Values);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PredictionOutput other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Label, Score, Values.Length);

    /// <summary>Compares two outputs for equality (label, score and values).</summary>
    /// <param name="left">The first output.</param>
    /// <param name="right">The second output.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(PredictionOutput left, PredictionOutput right) => left.Equals(right);

    /// <summary>Compares two outputs for inequality.</summary>
    /// <param name="left">The first output.</param>
    /// <param name="right">The second output.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(PredictionOutput left, PredictionOutput right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => (Score, Interval) switch
    {
        (var score, _) when !double.IsNaN(score) => string.Create(CultureInfo.InvariantCulture, $"{Label} (score {score:0.####})"),
        (_, { } interval) => string.Create(CultureInfo.InvariantCulture, $"{Label} [{interval.Lower:G6}, {interval.Upper:G6}]"),
        _ => Label.ToString(),
    };
}
