using FeedbackLoop.Onnx;

namespace FeedbackLoop;

/// <summary>Makes a loop serve ONNX models trained outside the process: <c>loop.UseOnnx()</c>.</summary>
public static class OnnxFeedbackLoopBuilderExtensions
{
    /// <summary>
    /// Serves ONNX models: registers <see cref="OnnxModelLoader"/>, so the champion (and any version rolled back to) is
    /// restored from the registry's artifact after a restart, and a trainer that refuses to train, because the model is
    /// retrained outside the process. Give the loop its models with
    /// <c>loop.PromoteAsync(OnnxModel.FromFile(path, loop.Schema, loop.Task, options), change, ct)</c>.
    /// </summary>
    /// <param name="builder">The loop's builder.</param>
    /// <param name="configure">Sets how ONNX Runtime runs the models the loader restores (threads, graph optimisation); optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the message lists every problem.</exception>
    /// <remarks>
    /// A cycle whose retrain policy asks for a retrain (a drift, a schedule) ends <see cref="CycleOutcome.Failed"/> at its
    /// train stage, with a report whose failure says to retrain outside the process: the signal to export the labelled
    /// window, train, and promote the new model. The drift stays pending until a cycle trains, so it is reported again.
    /// </remarks>
    public static FeedbackLoopBuilder UseOnnx(this FeedbackLoopBuilder builder, Action<OnnxSessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxSessionOptions();
        configure?.Invoke(options);
        return builder.UseTrainer(new ExternalOnnxTrainer(builder.Name), new OnnxModelLoader(options));
    }
}
