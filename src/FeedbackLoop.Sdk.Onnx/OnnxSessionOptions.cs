using Microsoft.ML.OnnxRuntime;

namespace FeedbackLoop.Onnx;

/// <summary>
/// How ONNX Runtime runs a model in this process: its threads and graph optimisations. Not part of the model's artifact:
/// a restarted host may run the same model with other settings.
/// </summary>
/// <remarks>Validated when the model is loaded or the loop is configured (<c>UseOnnx</c>); every problem is reported at once.</remarks>
public sealed class OnnxSessionOptions
{
    /// <summary>
    /// Gets or sets the threads one prediction may use inside an operator; 0 lets ONNX Runtime use one per core.
    /// </summary>
    /// <value>
    /// 1. The loop scores one row per call, concurrently from request threads: parallelism comes from the requests, and an
    /// intra-op pool per session would only contend with them for the cores. Raise it for a large model served to few
    /// callers.
    /// </value>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Gets or sets the threads that run independent operators in parallel; 0 lets ONNX Runtime choose. Used only with <see cref="ParallelExecution"/>.</summary>
    /// <value>1.</value>
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Gets or sets whether independent branches of the graph run in parallel (ONNX Runtime's <c>ORT_PARALLEL</c> mode).</summary>
    /// <value><see langword="false"/> (sequential).</value>
    public bool ParallelExecution { get; set; }

    /// <summary>Gets or sets the graph optimisations ONNX Runtime applies when it loads the model.</summary>
    /// <value><see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</value>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    internal OnnxSessionOptions Clone() => (OnnxSessionOptions)MemberwiseClone();

    internal SessionOptions ToSessionOptions() => new()
    {
        IntraOpNumThreads = IntraOpThreads,
        InterOpNumThreads = InterOpThreads,
        ExecutionMode = ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel,
    };
}
