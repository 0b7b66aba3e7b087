using System.Globalization;

namespace FeedbackLoop.Models;

/// <summary>
/// The task a loop's model performs, declared once for the loop: <see cref="Binary"/> classification,
/// <see cref="Multiclass(IEnumerable{string})"/> classification over a declared class set, or <see cref="Regression"/>.
/// It fixes the label kind ground truth must carry, the outputs a model may return, the error stream the drift
/// detectors watch and the metrics the rolling window, gates and policies compute.
/// </summary>
/// <remarks>Immutable and thread-safe. Two tasks are equal when their kinds and (for multiclass) their classes, in order, are equal.</remarks>
public sealed class ModelTask : IEquatable<ModelTask>
{
    /// <summary>The most classes a multiclass task may declare.</summary>
    public const int MaxClasses = 10_000;

    /// <summary>How far a multiclass output's probabilities may sum from 1 (models that score in single precision round).</summary>
    public const double ProbabilitySumTolerance = 1e-4;

    private readonly string[] _classes;
    private readonly Dictionary<string, int>? _index;

    private ModelTask(ModelTaskKind kind, string[] classes)
    {
        Kind = kind;
        _classes = classes;
        if (classes.Length > 0)
        {
            _index = new Dictionary<string, int>(classes.Length, StringComparer.Ordinal);
            for (var i = 0; i < classes.Length; i++)
            {
                _index.Add(classes[i], i);
            }
        }
    }

    /// <summary>Gets binary classification: labels are <see cref="LabelKind.Binary"/>, outputs a binary label and a positive-class probability (or none).</summary>
    public static ModelTask Binary { get; } = new(ModelTaskKind.Binary, []);

    /// <summary>Gets regression: labels are <see cref="LabelKind.Numeric"/>, outputs a finite predicted value.</summary>
    public static ModelTask Regression { get; } = new(ModelTaskKind.Regression, []);

    /// <summary>Gets what the model predicts.</summary>
    public ModelTaskKind Kind { get; }

    /// <summary>Gets the declared classes of a multiclass task, in the order per-class probabilities follow; empty for the other tasks.</summary>
    public IReadOnlyList<string> Classes => _classes;

    /// <summary>Gets the label kind ground truth, corrections and outputs carry in this task.</summary>
    public LabelKind LabelKind => Kind switch
    {
        ModelTaskKind.Binary => LabelKind.Binary,
        ModelTaskKind.Multiclass => LabelKind.Categorical,
        _ => LabelKind.Numeric,
    };

    /// <summary>Declares multiclass classification over a fixed set of classes.</summary>
    /// <param name="classes">The classes, at least 2 and at most <see cref="MaxClasses"/>, distinct (ordinal) and not empty; their order is the order of per-class probabilities.</param>
    /// <returns>The task.</returns>
    /// <exception cref="ArgumentException">Fewer than 2 or more than <see cref="MaxClasses"/> classes, a null or empty class, or a class given twice.</exception>
    public static ModelTask Multiclass(params IEnumerable<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        string[] declared = [.. classes];
        if (declared.Length is < 2 or > MaxClasses)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"A multiclass task declares 2 to {MaxClasses} classes; {declared.Length} were given."), nameof(classes));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < declared.Length; i++)
        {
            if (string.IsNullOrEmpty(declared[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Class {i} is null or empty."), nameof(classes));
            }

            if (!seen.Add(declared[i]))
            {
                throw new ArgumentException($"The class '{declared[i]}' is declared twice.", nameof(classes));
            }
        }

        return new ModelTask(ModelTaskKind.Multiclass, declared);
    }

    /// <summary>Gets the position of a class in <see cref="Classes"/>.</summary>
    /// <param name="className">The class.</param>
    /// <returns>Its index, or -1 when the task does not declare it (always -1 outside multiclass).</returns>
    public int IndexOf(string className) =>
        _index is not null && className is not null && _index.TryGetValue(className, out var index) ? index : -1;

    /// <summary>Checks that a label is one this task's ground truth may carry.</summary>
    /// <param name="label">The label.</param>
    /// <param name="problem">Why it does not fit, or empty.</param>
    /// <returns>Whether it fits: of <see cref="LabelKind"/>, and for multiclass one of the declared classes.</returns>
    public bool Accepts(Label label, out string problem)
    {
        if (label.Kind != LabelKind)
        {
            problem = $"a {this} task takes {LabelKind} labels, not {label.Kind} ({label})";
            return false;
        }

        if (Kind == ModelTaskKind.Multiclass && IndexOf(label.AsCategory()) < 0)
        {
            problem = $"the class '{label.AsCategory()}' is not one of the task's classes [{string.Join(", ", _classes)}]";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// Checks that a model's output fits this task: a label it <see cref="Accepts(Label, out string)"/>; for binary a
    /// score that is a probability or NaN; for multiclass per-class probabilities (when given) that follow the classes
    /// and sum to 1; for regression no score, and an interval (when given) of finite bounds around the value.
    /// </summary>
    /// <param name="output">The output.</param>
    /// <param name="problem">Why it does not fit, or empty.</param>
    /// <returns>Whether it fits.</returns>
    public bool Accepts(PredictionOutput output, out string problem)
    {
        if (!Accepts(output.Label, out problem))
        {
            problem = "the output's label does not fit: " + problem;
            return false;
        }

        var probabilities = output.Values;
        problem = Kind switch
        {
            ModelTaskKind.Binary when !double.IsNaN(output.Score) && !(output.Score >= 0.0 && output.Score <= 1.0) =>
                string.Create(CultureInfo.InvariantCulture, $"the output's score {output.Score} is not a probability in [0, 1] (use NaN for no score)"),
            ModelTaskKind.Multiclass when !double.IsNaN(output.Score) => "a multiclass output carries per-class probabilities, not a score",
            ModelTaskKind.Multiclass when !probabilities.IsEmpty && probabilities.Length != _classes.Length =>
                string.Create(CultureInfo.InvariantCulture, $"the output has {probabilities.Length} probabilities for the task's {_classes.Length} classes"),
            ModelTaskKind.Multiclass => ProbabilityProblem(probabilities) ?? string.Empty,
            ModelTaskKind.Regression when !double.IsNaN(output.Score) => "a regression output carries its value and an interval, no score",
            ModelTaskKind.Regression => IntervalProblem(output.Value, probabilities) ?? string.Empty,
            ModelTaskKind.Binary when !probabilities.IsEmpty => "a binary output carries one score, not per-class probabilities",
            _ => string.Empty,
        };
        return problem.Length == 0;
    }

    /// <inheritdoc />
    public bool Equals(ModelTask? other) =>
        other is not null && (ReferenceEquals(this, other) || (Kind == other.Kind && _classes.AsSpan().SequenceEqual(other._classes)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ModelTask);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        foreach (var name in _classes)
        {
            hash.Add(name, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>Returns <c>binary</c>, <c>regression</c> or <c>multiclass[a, b, c]</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind switch
    {
        ModelTaskKind.Multiclass => $"multiclass[{string.Join(", ", _classes)}]",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Why the values of a regression output are not an interval around its value, or <see langword="null"/> when they are (or are empty).</summary>
    internal static string? IntervalProblem(double value, ReadOnlySpan<double> bounds) => bounds switch
    {
        [] => null,
        [var lower, var upper] when double.IsFinite(lower) && double.IsFinite(upper) && lower <= value && value <= upper => null,
        [var lower, var upper] => string.Create(
            CultureInfo.InvariantCulture, $"the interval [{lower}, {upper}] is not finite bounds around the value {value}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"a regression output carries an interval of 2 bounds, not {bounds.Length} values"),
    };

    /// <summary>Why per-class probabilities are not a distribution, or <see langword="null"/> when they are (or are empty).</summary>
    internal static string? ProbabilityProblem(ReadOnlySpan<double> probabilities)
    {
        if (probabilities.IsEmpty)
        {
            return null;
        }

        var sum = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0.0 && probabilities[i] <= 1.0))
            {
                return string.Create(CultureInfo.InvariantCulture, $"the probability of class {i} is {probabilities[i]}, not in [0, 1]");
            }

            sum += probabilities[i];
        }

        return Math.Abs(sum - 1.0) <= ProbabilitySumTolerance
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"the probabilities sum to {sum:0.######}, not 1 (within {ProbabilitySumTolerance})");
    }
}
