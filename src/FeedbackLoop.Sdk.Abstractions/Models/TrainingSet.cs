namespace FeedbackLoop.Models;

/// <summary>
/// The labelled rows a trainer learns from, by column: one array per feature, the labels, a weight per row and the
/// source each row came from (<c>"feedback"</c> for the loop's labelled window, the host's name for data it seeds).
/// Built with <see cref="CreateBuilder"/>; no prediction is needed, so a host trains its first model from its own
/// labelled history.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class TrainingSet
{
    private readonly double[][] _numeric;
    private readonly string?[][] _categorical;
    private readonly Label[] _labels;
    private readonly double[] _weights;
    private readonly string[] _sources;

    internal TrainingSet(FeatureSchema schema, ModelTask task, double[][] numeric, string?[][] categorical, Label[] labels, double[] weights, string[] sources)
    {
        Schema = schema;
        Task = task;
        _numeric = numeric;
        _categorical = categorical;
        _labels = labels;
        _weights = weights;
        _sources = sources;
    }

    /// <summary>Gets the schema every row follows.</summary>
    public FeatureSchema Schema { get; }

    /// <summary>Gets the task the labels are for: every label fits it (<see cref="ModelTask.Accepts(Label, out string)"/>).</summary>
    public ModelTask Task { get; }

    /// <summary>Gets the number of rows.</summary>
    public int Count => _labels.Length;

    /// <summary>Gets the labels, one per row.</summary>
    public ReadOnlySpan<Label> Labels => _labels;

    /// <summary>Gets the weights, one per row: finite and non-negative (1 unless the builder was given another).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>Gets where each row came from.</summary>
    public IReadOnlyList<string> Sources => _sources;

    /// <summary>Starts a training set for <paramref name="schema"/> and <paramref name="task"/>.</summary>
    /// <param name="schema">The schema every row follows.</param>
    /// <param name="task">The task every label is for.</param>
    /// <returns>A builder.</returns>
    public static TrainingSetBuilder CreateBuilder(FeatureSchema schema, ModelTask task) =>
        new(schema ?? throw new ArgumentNullException(nameof(schema)), task ?? throw new ArgumentNullException(nameof(task)));

    /// <summary>Gets a numeric feature's column (NaN where the value is missing).</summary>
    /// <param name="ordinal">The feature's <see cref="FeatureDefinition.Ordinal"/>.</param>
    /// <returns>The values, one per row.</returns>
    public ReadOnlySpan<double> Numeric(int ordinal) => _numeric[ordinal];

    /// <summary>Gets a categorical feature's column (null where the value is missing).</summary>
    /// <param name="ordinal">The feature's <see cref="FeatureDefinition.Ordinal"/>.</param>
    /// <returns>The values, one per row.</returns>
    public ReadOnlySpan<string?> Categorical(int ordinal) => _categorical[ordinal];

    /// <summary>Copies one row's values into the spans (of lengths <see cref="FeatureSchema.NumericCount"/> and <see cref="FeatureSchema.CategoricalCount"/>).</summary>
    /// <param name="row">The row.</param>
    /// <param name="numeric">Receives the numeric values by ordinal.</param>
    /// <param name="categorical">Receives the categorical values by ordinal.</param>
    public void CopyRow(int row, Span<double> numeric, Span<string?> categorical)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Count, nameof(row));
        for (var k = 0; k < _numeric.Length; k++)
        {
            numeric[k] = _numeric[k][row];
        }

        for (var k = 0; k < _categorical.Length; k++)
        {
            categorical[k] = _categorical[k][row];
        }
    }

    /// <summary>Gets one row as a read-only feature vector.</summary>
    /// <param name="row">The row.</param>
    /// <returns>A new vector.</returns>
    public FeatureVector Row(int row)
    {
        var numeric = new double[Schema.NumericCount];
        var categorical = new string?[Schema.CategoricalCount];
        CopyRow(row, numeric, categorical);
        return FeatureVector.Create(Schema, numeric, categorical).AsReadOnly();
    }
}
