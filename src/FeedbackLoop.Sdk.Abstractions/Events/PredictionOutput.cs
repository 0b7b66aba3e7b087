using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop;

/// <summary>
/// What a model returned for one input, by task (<see cref="ModelTask"/>): a binary label and the positive-class
/// probability, a class and the per-class probabilities, or a predicted value.
/// </summary>
/// <remarks>
/// Immutable: the factories copy the probabilities they are given, so a model that reuses its buffer cannot change a
/// recorded output. <c>default</c> is an output with no label.
/// </remarks>
public readonly struct PredictionOutput : IEquatable<PredictionOutput>
{
    private readonly double[]? _probabilities;
    private readonly double _score;
    private readonly bool _hasScore;

    private PredictionOutput(Label label, double score, double[]? probabilities)
    {
        Label = label;
        _score = score;
        _hasScore = !double.IsNaN(score);
        _probabilities = probabilities;
    }

    /// <summary>Gets the predicted label: binary, a class, or the predicted value (<see cref="LabelKind.Numeric"/>).</summary>
    public Label Label { get; }

    /// <summary>Gets, for a binary classifier, the probability of the positive class; NaN when the model gives none and for the other tasks.</summary>
    public double Score => _hasScore ? _score : double.NaN;

    /// <summary>Gets, for a multiclass classifier, the probability of each class in the order of <see cref="ModelTask.Classes"/>; empty when the model gives none and for the other tasks.</summary>
    public ReadOnlySpan<double> Probabilities => _probabilities;

    /// <summary>Gets the predicted value of a regression model; NaN for the other tasks.</summary>
    public double Value => Label.Kind == LabelKind.Numeric ? Label.AsDouble() : double.NaN;

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

    /// <summary>
    /// Rebuilds a recorded output exactly, from what <see cref="Label"/>, <see cref="Score"/> and
    /// <see cref="Probabilities"/> returned — for a store or snapshot that keeps outputs as values. It does not check
    /// that the parts fit a task; the loop checks every output it records against its own (<see cref="ModelTask.Accepts(PredictionOutput, out string)"/>).
    /// </summary>
    /// <param name="label">The predicted label.</param>
    /// <param name="score">The positive-class probability of a binary output, or NaN.</param>
    /// <param name="probabilities">The per-class probabilities of a multiclass output (copied), or empty.</param>
    /// <returns>The output, equal to the one recorded.</returns>
    public static PredictionOutput Restore(Label label, double score, ReadOnlySpan<double> probabilities) =>
        new(label, score, probabilities.IsEmpty ? null : probabilities.ToArray());

    /// <summary>Creates an output that carries a label only (a classifier that gives no probabilities).</summary>
    /// <param name="label">The predicted label.</param>
    /// <returns>The output with no score or probabilities.</returns>
    public static PredictionOutput FromLabel(Label label) => new(label, double.NaN, null);

    /// <inheritdoc />
    public bool Equals(PredictionOutput other) =>
        Label == other.Label && Score.Equals(other.Score) && Probabilities.SequenceEqual(other.Probabilities);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PredictionOutput other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Label, Score, Probabilities.Length);

    /// <summary>Compares two outputs for equality (label, score and probabilities).</summary>
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
    public override string ToString() => !double.IsNaN(Score)
        ? string.Create(CultureInfo.InvariantCulture, $"{Label} (score {Score:0.####})")
        : Label.ToString();
}
