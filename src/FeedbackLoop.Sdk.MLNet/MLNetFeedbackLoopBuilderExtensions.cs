using FeedbackLoop.MLNet;
using Microsoft.ML;

namespace FeedbackLoop;

/// <summary>Trains the loop's models with ML.NET: <c>loop.UseMLNet()</c> or <c>loop.UseMLNet(p =&gt; pipeline)</c>.</summary>
public static class MLNetFeedbackLoopBuilderExtensions
{
    /// <summary>
    /// Trains candidates with an ML.NET pipeline on the loop's labelled window, for the loop's task, and restores them
    /// from ML.NET's model files (for rollback and restarts); see <see cref="MLNetTrainer"/>.
    /// </summary>
    /// <param name="builder">The loop's builder.</param>
    /// <param name="pipeline">
    /// Builds the pipeline for one training from the context (ML.NET context, task, column names), for example
    /// <c>p =&gt; p.Featurize().Append(p.Context.BinaryClassification.Trainers.FastTree(p.LabelColumn, p.FeaturesColumn, p.WeightColumn))</c>;
    /// by default one-hot categorical features and LightGbm for the task (<see cref="MLNetPipelineContext.DefaultPipeline"/>).
    /// </param>
    /// <param name="configure">Sets the seed, calibration and default trainer; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The options name no defined default trainer (checked here, when the loop is configured).</exception>
    public static FeedbackLoopBuilder UseMLNet(
        this FeedbackLoopBuilder builder,
        Func<MLNetPipelineContext, IEstimator<ITransformer>>? pipeline = null,
        Action<MLNetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new MLNetOptions();
        configure?.Invoke(options);
        return builder.UseLearner(new MLNetTrainer(pipeline, options));
    }
}
