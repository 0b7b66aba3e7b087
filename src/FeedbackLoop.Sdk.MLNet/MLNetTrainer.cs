using System.Globalization;
using FeedbackLoop.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.MLNet;

/// <summary>
/// Trains an ML.NET pipeline on the loop's labelled window and restores the models it trains from their artifacts:
/// the loop's trainer and artifact loader in one (<c>loop.UseMLNet(...)</c> sets it).
/// </summary>
/// <remarks>
/// <para>
/// Each training runs in its own <see cref="MLContext"/> (seeded by <see cref="MLNetOptions.Seed"/>) on the window as
/// an <see cref="IDataView"/> laid out as <see cref="MLNetPipelineContext"/> describes, with the host's pipeline or
/// <see cref="MLNetPipelineContext.DefaultPipeline"/>. The trained model must perform the window's task (a binary,
/// multiclass or regression trainer for a binary, multiclass or regression loop) and score from the features alone.
/// </para>
/// <para>
/// <b>Probabilities.</b> Of ML.NET's binary trainers, FastTree, LightGbm, GAM, <c>SdcaLogisticRegression</c>,
/// <c>LbfgsLogisticRegression</c>, <c>SgdCalibrated</c>, <c>FieldAwareFactorizationMachine</c> and <c>Prior</c> give
/// calibrated probabilities (a <c>Probability</c> column); FastForest, <c>SdcaNonCalibrated</c>,
/// <c>SgdNonCalibrated</c>, <c>AveragedPerceptron</c> and <c>LinearSvm</c> give a raw score only (checked on ML.NET
/// 5.0.1). For those, the trainer appends a Platt calibrator fitted on the training window unless
/// <see cref="MLNetOptions.Calibrate"/> is off; the description of every binary model says which case it is.
/// ML.NET's multiclass trainers all give a probability per class.
/// </para>
/// <para>
/// The artifact is ML.NET's model file (<c>MLContext.Model.Save</c>) with the loop's feature columns as its input
/// schema; <see cref="Load"/> refuses one whose input schema does not fit the loop's with a
/// <see cref="FormatException"/> naming the column (see <see cref="MLNetModel.Load"/>).
/// </para>
/// <para>
/// Training runs synchronously on the calling thread (the loop's cycle); the returned task is already complete.
/// Thread-safe: one trainer may train and load concurrently.
/// </para>
/// </remarks>
public sealed class MLNetTrainer : IModelTrainer, IModelArtifactLoader
{
    private readonly Func<MLNetPipelineContext, IEstimator<ITransformer>>? _pipeline;

    /// <summary>Initializes a trainer.</summary>
    /// <param name="pipeline">
    /// Builds the pipeline for one training, for example
    /// <c>p =&gt; p.Featurize(normalize: true).Append(p.Context.BinaryClassification.Trainers.SdcaLogisticRegression(p.LabelColumn, p.FeaturesColumn, p.WeightColumn))</c>;
    /// <see langword="null"/> for <see cref="MLNetPipelineContext.DefaultPipeline"/>.
    /// </param>
    /// <param name="options">The options (copied); the defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MLNetOptions.DefaultTrainer"/> is not a defined trainer.</exception>
    public MLNetTrainer(Func<MLNetPipelineContext, IEstimator<ITransformer>>? pipeline = null, MLNetOptions? options = null)
    {
        _pipeline = pipeline;
        options ??= new MLNetOptions();
        if (!Enum.IsDefined(options.DefaultTrainer))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DefaultTrainer, $"MLNetOptions.DefaultTrainer must be {string.Join(" or ", Enum.GetNames<MLNetDefaultTrainer>())}.");
        }

        Seed = options.Seed;
        Calibrate = options.Calibrate;
        DefaultTrainer = options.DefaultTrainer;
    }

    /// <summary>Gets the seed of each training's <see cref="MLContext"/>.</summary>
    /// <value>Default 0; <see langword="null"/> for none.</value>
    public int? Seed { get; }

    /// <summary>Gets whether binary models without calibrated probabilities are Platt-calibrated.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool Calibrate { get; }

    /// <summary>Gets the trainer of the default pipeline.</summary>
    /// <value>Default <see cref="MLNetDefaultTrainer.LightGbm"/>.</value>
    public MLNetDefaultTrainer DefaultTrainer { get; }

    /// <summary>Trains the pipeline on the labelled rows.</summary>
    /// <param name="data">The labelled rows.</param>
    /// <param name="cancellationToken">Cancels training; checked before and after fitting (ML.NET cannot be interrupted mid-fit from outside).</param>
    /// <returns>A completed task holding the <see cref="MLNetModel"/>, its model file and a description (trainer, examples, calibration).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The set has no rows.</exception>
    /// <exception cref="InvalidOperationException">The pipeline trained a model of another task, or one that cannot score from the features alone.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Whatever the host's pipeline throws while it is built or fitted propagates; the loop reports it in the cycle and keeps its champion.</remarks>
    public Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        cancellationToken.ThrowIfCancellationRequested();
        if (data.Count == 0)
        {
            throw new ArgumentException("The training set has no rows.", nameof(data));
        }

        var context = new MLContext(Seed);
        var columns = MLNetColumns.For(data.Schema);
        var view = new TrainingSetDataView(data, columns);
        var pipeline = new MLNetPipelineContext(context, data.Task, columns, DefaultTrainer);
        var estimator = (_pipeline ?? (p => p.DefaultPipeline()))(pipeline)
            ?? throw new InvalidOperationException("The ML.NET pipeline function returned no estimator.");
        // MLContext exposes no public way to cancel a Fit in progress: cancellation is checked before and after it.
        var model = estimator.Fit(view);
        cancellationToken.ThrowIfCancellationRequested();
        var calibration = string.Empty;
        if (data.Task.Kind == ModelTaskKind.Binary)
        {
            (model, calibration) = Calibrated(context, model, view, columns);
        }

        ModelOutput output;
        try
        {
            output = MLNetArtifact.Output(model, columns, null);
        }
        catch (FormatException exception)
        {
            throw new InvalidOperationException($"The ML.NET pipeline trained a model the loop cannot serve: {exception.Message}", exception);
        }

        if (!output.Task.Equals(data.Task))
        {
            throw new InvalidOperationException(
                $"The ML.NET pipeline trained a {output.Task} model for a {data.Task} task; use a trainer of the task's catalog (MLContext.{Catalog(data.Task)}.Trainers).");
        }

        var predictor = new MLNetModel(model, columns, output);
        var description = string.Create(
            CultureInfo.InvariantCulture,
            $"ML.NET {TrainerName(estimator)} ({(_pipeline is null ? "default pipeline" : "host pipeline")}) on {data.Count} examples, {data.Schema.NumericCount} numeric and {data.Schema.CategoricalCount} categorical features{calibration}");
        return System.Threading.Tasks.Task.FromResult(new TrainedModel(predictor, MLNetArtifact.Write(model, columns.Input, null), description));
    }

    /// <summary>Restores a model from its ML.NET model file; see <see cref="MLNetModel.Load"/>.</summary>
    /// <param name="artifact">The model file's content.</param>
    /// <param name="schema">The loop's schema.</param>
    /// <returns>The <see cref="MLNetModel"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FormatException">The file is corrupt, truncated, not an ML.NET model, or does not fit the schema; the message names the column.</exception>
    public IPredictor Load(Stream artifact, FeatureSchema schema) => MLNetModel.Load(artifact, schema);

    private (ITransformer Model, string Calibration) Calibrated(MLContext context, ITransformer model, TrainingSetDataView view, MLNetColumns columns)
    {
        var output = model.GetOutputSchema(view.Schema);
        if (ModelOutput.Find(output, view.Schema, ModelOutput.Probability) is not null)
        {
            return (model, "; probabilities calibrated by the trainer");
        }

        if (!Calibrate || ModelOutput.Find(output, view.Schema, ModelOutput.Score) is not { } score || score.Type != NumberDataViewType.Single)
        {
            return (model, "; no probabilities (the trainer is not calibrated and calibration is off)");
        }

        var platt = context.BinaryClassification.Calibrators.Platt(columns.Label, ModelOutput.Score, columns.Weight).Fit(model.Transform(view));
        return (new TransformerChain<ITransformer>(model, platt), "; probabilities Platt-calibrated by the adapter on the training window");
    }

    private static string Catalog(ModelTask task) => task.Kind switch
    {
        ModelTaskKind.Binary => "BinaryClassification",
        ModelTaskKind.Multiclass => "MulticlassClassification",
        _ => "Regression",
    };

    private static string TrainerName(IEstimator<ITransformer> estimator)
    {
        object last = estimator;
        while (last.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(EstimatorChain<>))
        {
            // EstimatorChain<T>.LastEstimator is a public field; the chain offers no other way to its parts.
            if (type.GetField(nameof(EstimatorChain<ITransformer>.LastEstimator))?.GetValue(last) is not { } inner)
            {
                break;
            }

            last = inner;
        }

        var name = last.GetType().Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
