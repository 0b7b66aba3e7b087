namespace FeedbackLoop.Models;

/// <summary>Collects the rows of a <see cref="TrainingSet"/>.</summary>
/// <remarks>Not thread-safe. Each row is validated and copied when added.</remarks>
public sealed class TrainingSetBuilder
{
    private readonly FeatureSchema _schema;
    private readonly ModelTask _task;
    private readonly List<double>[] _numeric;
    private readonly List<string?>[] _categorical;
    private readonly List<Label> _labels = [];
    private readonly List<double> _weights = [];
    private readonly List<string> _sources = [];

    internal TrainingSetBuilder(FeatureSchema schema, ModelTask task)
    {
        _schema = schema;
        _task = task;
        _numeric = [.. Enumerable.Range(0, schema.NumericCount).Select(_ => new List<double>())];
        _categorical = [.. Enumerable.Range(0, schema.CategoricalCount).Select(_ => new List<string?>())];
    }

    /// <summary>Gets the number of rows added so far.</summary>
    public int Count => _labels.Count;

    /// <summary>Adds a labelled row.</summary>
    /// <param name="features">The inputs, in the set's schema (copied).</param>
    /// <param name="label">The label.</param>
    /// <param name="weight">The row's weight: finite and non-negative. Default 1.</param>
    /// <param name="source">Where the row came from. Default <c>"host"</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The features follow another schema, the label does not fit the task, the weight is negative or not finite, or the source is empty.</exception>
    /// <exception cref="FeatureValidationException">The features do not validate against the schema.</exception>
    public TrainingSetBuilder Add(FeatureVector features, Label label, double weight = 1.0, string source = "host")
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (!ReferenceEquals(features.Schema, _schema) && !features.Schema.Equals(_schema))
        {
            throw new ArgumentException($"Row {Count} follows schema [{features.Schema}], not the training set's [{_schema}].", nameof(features));
        }

        if (!_task.Accepts(label, out var problem))
        {
            throw new InvalidLabelException(_task.LabelKind, label.Kind, $"Row {Count}: {problem}.");
        }

        if (!(weight >= 0.0) || !double.IsFinite(weight))
        {
            throw new ArgumentException($"Row {Count} has the weight {weight}; weights must be finite and non-negative.", nameof(weight));
        }

        try
        {
            features.Validate();
        }
        catch (FeatureValidationException exception)
        {
            throw new FeatureValidationException(exception.FeatureName, $"Row {Count}: {exception.Message}");
        }

        for (var k = 0; k < _numeric.Length; k++)
        {
            _numeric[k].Add(features.Numeric[k]);
        }

        for (var k = 0; k < _categorical.Length; k++)
        {
            _categorical[k].Add(features.Categorical[k]);
        }

        _labels.Add(label);
        _weights.Add(weight);
        _sources.Add(source);
        return this;
    }

    /// <summary>Builds the set from the rows added so far.</summary>
    /// <returns>The training set.</returns>
    public TrainingSet Build() =>
        new(_schema, _task, [.. _numeric.Select(c => c.ToArray())], [.. _categorical.Select(c => c.ToArray())], [.. _labels], [.. _weights], [.. _sources]);
}
