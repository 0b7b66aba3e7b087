namespace FeedbackLoop.MLNet;

/// <summary>The gradient-boosted trees the default pipeline (<see cref="MLNetPipelineContext.DefaultPipeline"/>) trains.</summary>
public enum MLNetDefaultTrainer
{
    /// <summary>
    /// LightGbm (Microsoft.ML.LightGbm): binary, multiclass (softmax) and regression natively. It runs LightGBM's native
    /// library, which the package ships for Windows, Linux and macOS on x64 (and arm64 on macOS).
    /// </summary>
    LightGbm,

    /// <summary>
    /// FastTree (Microsoft.ML.FastTree), fully managed: binary and regression natively, multiclass as one-versus-all over
    /// calibrated binary FastTree models. For platforms where LightGBM's native library does not load.
    /// </summary>
    FastTree,
}
