using FeedbackLoop.Models;
using Microsoft.ML;

namespace FeedbackLoop.MLNet;

/// <summary>
/// An ML.NET model (an <see cref="ITransformer"/> whose last step is a trainer's predictor) serving a loop: it scores
/// the loop's <see cref="FeatureVector"/>s in the model's own columns, one per feature, and reads the task from the
/// model's output (a <c>Score</c> vector with class slot names: multiclass; a Boolean <c>PredictedLabel</c>: binary; a
/// <c>Score</c> alone: regression). Models trained elsewhere enter a loop through <see cref="FromTransformer"/> and
/// <see cref="FromFile"/>, then <see cref="IFeedbackLoop.PromoteAsync"/>.
/// </summary>
/// <remarks>
/// <para>
/// Outputs: binary — the <c>Probability</c> column (clamped to [0, 1]) with the 0.5 threshold, or, for an uncalibrated
/// model (<see cref="HasProbabilities"/> false), the <c>PredictedLabel</c> with no score; multiclass — the <c>Score</c>
/// vector mapped from the model's slots to the task's class order by name, renormalised in double precision;
/// regression — the <c>Score</c>. A NaN score (a linear model given a missing value it was not trained to replace)
/// throws <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// Thread-safe: <see cref="Predict"/> rents one of a pool of scoring engines (as Microsoft.Extensions.ML's
/// <c>PredictionEnginePool</c> pools <c>PredictionEngine</c>s, which are not thread-safe), each a row mapper bound to a
/// reusable input row, so a prediction makes no reflection call and allocates only its output.
/// </para>
/// </remarks>
public sealed class MLNetModel : IPredictor
{
    private readonly ScorerPool _scorers;
    private readonly MLNetColumns _columns;

    internal MLNetModel(ITransformer transformer, MLNetColumns columns, ModelOutput output)
    {
        Transformer = transformer;
        _columns = columns;
        Schema = columns.Schema;
        Task = output.Task;
        HasProbabilities = output.Task.Kind == ModelTaskKind.Multiclass || output.HasProbability;
        _scorers = new ScorerPool(() => new Scorer(transformer, columns, output));

        // One engine now: a model that cannot bind to the loop's columns fails here, not on a request.
        _scorers.Return(_scorers.Rent());
    }

    /// <summary>Gets the ML.NET model.</summary>
    public ITransformer Transformer { get; }

    /// <summary>Gets the loop schema the model scores.</summary>
    public FeatureSchema Schema { get; }

    /// <inheritdoc />
    /// <remarks>For a multiclass model, its classes in the loop's declared order.</remarks>
    public ModelTask Task { get; }

    /// <summary>Gets whether outputs carry probabilities: always for multiclass, for binary when the model has a calibrated <c>Probability</c> column, never for regression.</summary>
    public bool HasProbabilities { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> follows another schema.</exception>
    /// <exception cref="InvalidOperationException">The model scored NaN.</exception>
    public PredictionOutput Predict(FeatureVector features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!ReferenceEquals(features.Schema, Schema) && !features.Schema.Equals(Schema))
        {
            throw new ArgumentException($"The vector follows schema [{features.Schema}], not the model's [{Schema}].", nameof(features));
        }

        var scorer = _scorers.Rent();
        try
        {
            return scorer.Score(features);
        }
        finally
        {
            _scorers.Return(scorer);
        }
    }

    /// <summary>Restores a model from an ML.NET model file, checking it against the loop's schema.</summary>
    /// <param name="artifact">The model file's content, from its start (read to its end).</param>
    /// <param name="schema">The loop's schema.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FormatException">
    /// The file is corrupt, truncated or not an ML.NET model file; it was saved without its input schema; its input
    /// schema lacks a feature's column (names are compared exactly) or has it with another type than the loop gives
    /// (<c>Single</c> for numeric, text for categorical features); the model needs other input; or it is not a binary,
    /// multiclass or regression model. The message names the column or says what was found.
    /// </exception>
    public static MLNetModel Load(Stream artifact, FeatureSchema schema) => MLNetArtifact.Read(artifact, schema);

    /// <summary>
    /// Wraps an ML.NET model trained outside the loop, for <see cref="IFeedbackLoop.PromoteAsync"/>: checks that it
    /// scores the loop's features (one column per feature, named as the feature: <c>Single</c> numeric, text categorical)
    /// and saves it, with the loop's feature columns (and the non-feature columns of <paramref name="inputSchema"/>) as
    /// its input schema, as the artifact.
    /// </summary>
    /// <param name="transformer">The trained model, for example <c>pipeline.Fit(data)</c>.</param>
    /// <param name="schema">The loop's schema (<see cref="IFeedbackLoop.Schema"/>).</param>
    /// <param name="task">
    /// The loop's task (<see cref="IFeedbackLoop.Task"/>), to check the model against; optional. For a multiclass model
    /// whose score slots name the same classes in another order (a label keyed by <c>MapValueToKey</c> in order of
    /// appearance), the model is served in the task's order and the order is kept in the artifact.
    /// </param>
    /// <param name="inputSchema">
    /// The schema of the data the model was trained on (<c>data.Schema</c>), when its pipeline needs columns at scoring
    /// that are not features (a label it keys with <c>MapValueToKey</c>): they are given their default value, as a
    /// <c>PredictionEngine</c> gives an input class's unset label, and the score must not read them. Optional.
    /// </param>
    /// <param name="description">The version's description; by default "ML.NET model trained outside the loop" and the task.</param>
    /// <returns>The model and its artifact.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transformer"/> or <paramref name="schema"/> is null.</exception>
    /// <exception cref="ArgumentException">The model does not score the loop's features (it needs a column neither they nor <paramref name="inputSchema"/> give, or its score reads a column that is not a feature), performs another task than <paramref name="task"/>, or is not a classifier or regressor the loop serves; the message says why.</exception>
    public static TrainedModel FromTransformer(ITransformer transformer, FeatureSchema schema, ModelTask? task = null, DataViewSchema? inputSchema = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(schema);
        var columns = MLNetColumns.For(schema, inputSchema);
        ModelOutput output;
        try
        {
            output = MLNetArtifact.Output(transformer, columns, null);
        }
        catch (FormatException exception)
        {
            throw new ArgumentException(exception.Message, nameof(transformer), exception);
        }

        var (served, order) = Reconcile(output, task, nameof(transformer));
        var model = new MLNetModel(transformer, columns, served);
        return new TrainedModel(model, MLNetArtifact.Write(transformer, columns.Input, order), description ?? $"ML.NET model trained outside the loop ({served.Task})");
    }

    /// <summary>
    /// Reads an ML.NET model file saved elsewhere (<c>MLContext.Model.Save(model, inputSchema, path)</c>), for
    /// <see cref="IFeedbackLoop.PromoteAsync"/>, checking it as <see cref="Load"/> does; the file itself becomes the artifact.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="schema">The loop's schema.</param>
    /// <param name="task">The loop's task, as for <see cref="FromTransformer"/>; optional.</param>
    /// <param name="description">The version's description; by default the file's name and the task.</param>
    /// <returns>The model and its artifact.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FormatException">As for <see cref="Load"/>.</exception>
    /// <exception cref="ArgumentException">The model performs another task than <paramref name="task"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static TrainedModel FromFile(string path, FeatureSchema schema, ModelTask? task = null, string? description = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        var file = File.ReadAllBytes(path);
        MLNetModel loaded;
        using (var stream = new MemoryStream(file, writable: false))
        {
            loaded = Load(stream, schema);
        }

        var output = new ModelOutput(loaded.Task, loaded.HasProbabilities, loaded.Task.Kind == ModelTaskKind.Multiclass ? SlotClasses(loaded) : null);
        var (served, order) = Reconcile(output, task, nameof(task));
        var model = order is null ? loaded : new MLNetModel(loaded.Transformer, loaded._columns, served);
        return new TrainedModel(model, order is null ? file : MLNetArtifact.WithClasses(file, order), description ?? $"ML.NET model file {Path.GetFileName(path)} ({served.Task})");
    }

    private static string[] SlotClasses(MLNetModel model) =>
        MLNetArtifact.Output(model.Transformer, model._columns, null).SlotClasses!;

    /// <summary>Checks a model's task against the loop's; a multiclass model of the same classes in another order is served in the loop's order.</summary>
    private static (ModelOutput Served, string[]? ClassOrder) Reconcile(ModelOutput output, ModelTask? task, string parameter)
    {
        if (task is null || output.Task.Equals(task))
        {
            return (output, null);
        }

        if (task.Kind == ModelTaskKind.Multiclass && output.Task.Kind == ModelTaskKind.Multiclass
            && task.Classes.Count == output.Task.Classes.Count && output.Task.Classes.All(c => task.IndexOf(c) >= 0))
        {
            return (output with { Task = task }, [.. task.Classes]);
        }

        throw new ArgumentException($"The ML.NET model performs a {output.Task} task; the loop's task is {task}.", parameter);
    }
}
