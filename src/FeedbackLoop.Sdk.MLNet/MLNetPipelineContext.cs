using FeedbackLoop.Models;
using Microsoft.ML;
using Microsoft.ML.Transforms;

namespace FeedbackLoop.MLNet;

/// <summary>
/// What a host's pipeline function is given to build an ML.NET pipeline for one training: the <see cref="MLContext"/>,
/// the task, and the names of the columns the loop's training window arrives in.
/// </summary>
/// <remarks>
/// <para>
/// The training data has one column per feature, named as the feature: numeric features as <c>Single</c> (NaN when
/// missing), categorical ones as text (empty when missing); then <see cref="LabelColumn"/> — <c>Boolean</c> for a binary
/// task, for a multiclass task a key whose value k + 1 is the task's class k (annotated with the class names, so
/// that a model's <c>Score</c> slots follow <see cref="ModelTask.Classes"/> and carry their names), <c>Single</c> for
/// regression — and <see cref="WeightColumn"/> (<c>Single</c>). The label is ready for ML.NET's trainers: a pipeline
/// must not transform it (a model that needs the label to score cannot serve).
/// </para>
/// <para>One context per training; not thread-safe (neither is its <see cref="MLContext"/> while training).</para>
/// </remarks>
public sealed class MLNetPipelineContext
{
    private readonly MLNetColumns _columns;
    private readonly MLNetDefaultTrainer _defaultTrainer;

    internal MLNetPipelineContext(MLContext context, ModelTask task, MLNetColumns columns, MLNetDefaultTrainer defaultTrainer)
    {
        Context = context;
        Task = task;
        _columns = columns;
        _defaultTrainer = defaultTrainer;
    }

    /// <summary>Gets the ML.NET context the training runs in (seeded by <see cref="MLNetOptions.Seed"/>).</summary>
    public MLContext Context { get; }

    /// <summary>Gets the loop's task: binary, multiclass (with its classes) or regression.</summary>
    public ModelTask Task { get; }

    /// <summary>Gets the loop's feature schema.</summary>
    public FeatureSchema Schema => _columns.Schema;

    /// <summary>Gets the numeric features' column names (<c>Single</c>), in ordinal order.</summary>
    public IReadOnlyList<string> NumericColumns => _columns.Numeric;

    /// <summary>Gets the categorical features' column names (text), in ordinal order.</summary>
    public IReadOnlyList<string> CategoricalColumns => _columns.Categorical;

    /// <summary>Gets the label column's name.</summary>
    /// <value><c>"Label"</c>, with underscores appended while a feature has that name.</value>
    public string LabelColumn => _columns.Label;

    /// <summary>Gets the example-weight column's name (pass it as a trainer's <c>exampleWeightColumnName</c>).</summary>
    /// <value><c>"Weight"</c>, with underscores appended while a feature has that name.</value>
    public string WeightColumn => _columns.Weight;

    /// <summary>Gets the name of the feature vector <see cref="Featurize"/> builds.</summary>
    /// <value><c>"Features"</c>, with underscores appended while a feature has that name.</value>
    public string FeaturesColumn => _columns.Features;

    /// <summary>
    /// Builds the feature vector <see cref="FeaturesColumn"/>: categorical features one-hot encoded (a missing or unseen
    /// category encodes as all zeros), concatenated after the numeric features.
    /// </summary>
    /// <param name="normalize">
    /// Whether to also replace missing numeric values with their training mean and scale every slot to [0, 1] (min-max):
    /// what linear trainers such as SDCA and L-BFGS need. Tree trainers take missing values and raw scales as they are.
    /// Default <see langword="false"/>.
    /// </param>
    /// <returns>The featurizing estimator; append a trainer to it.</returns>
    public IEstimator<ITransformer> Featurize(bool normalize = false)
    {
        var transforms = Context.Transforms;
        IEstimator<ITransformer> features = transforms.Concatenate(FeaturesColumn, [.. _columns.Numeric, .. _columns.Categorical]);
        if (_columns.Categorical.Length > 0)
        {
            features = transforms.Categorical.OneHotEncoding([.. _columns.Categorical.Select(c => new InputOutputColumnPair(c, c))]).Append(features);
        }

        return normalize
            ? features
                .Append(transforms.ReplaceMissingValues(FeaturesColumn, replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean))
                .Append(transforms.NormalizeMinMax(FeaturesColumn))
            : features;
    }

    /// <summary>
    /// Builds the pipeline the loop trains when the host gives none: <see cref="Featurize"/> and gradient-boosted trees
    /// for the task (<see cref="MLNetOptions.DefaultTrainer"/>: LightGbm by default; FastTree, with one-versus-all for
    /// multiclass), with the example weights and ML.NET's default hyper-parameters.
    /// </summary>
    /// <returns>The pipeline.</returns>
    public IEstimator<ITransformer> DefaultPipeline()
    {
        var features = Featurize();
        string label = LabelColumn, vector = FeaturesColumn, weight = WeightColumn;
        if (_defaultTrainer == MLNetDefaultTrainer.FastTree)
        {
            return Task.Kind switch
            {
                ModelTaskKind.Binary => features.Append(Context.BinaryClassification.Trainers.FastTree(label, vector, weight)),
                ModelTaskKind.Multiclass => features.Append(Context.MulticlassClassification.Trainers.OneVersusAll(
                    Context.BinaryClassification.Trainers.FastTree(label, vector, weight), label)),
                _ => features.Append(Context.Regression.Trainers.FastTree(label, vector, weight)),
            };
        }

        return Task.Kind switch
        {
            ModelTaskKind.Binary => features.Append(Context.BinaryClassification.Trainers.LightGbm(label, vector, weight)),
            ModelTaskKind.Multiclass => features.Append(Context.MulticlassClassification.Trainers.LightGbm(label, vector, weight)),
            _ => features.Append(Context.Regression.Trainers.LightGbm(label, vector, weight)),
        };
    }
}
