namespace FeedbackLoop.Onnx;

/// <summary>
/// How a loop's features and task map onto an ONNX model's inputs and outputs. The mapping is checked against the model
/// when it is loaded and stored in its artifact, so the registry's copy restores the same predictor after a restart or
/// a rollback.
/// </summary>
/// <remarks>Validated when the model is loaded; every problem is reported at once.</remarks>
public sealed class OnnxModelOptions
{
    /// <summary>Gets or sets how the features reach the model's inputs.</summary>
    /// <value><see cref="OnnxInputLayout.Auto"/>.</value>
    public OnnxInputLayout InputLayout { get; set; } = OnnxInputLayout.Auto;

    /// <summary>Gets or sets the name of the single float input of the <see cref="OnnxInputLayout.Vector"/> layout.</summary>
    /// <value><see langword="null"/>: the model's only input.</value>
    public string? VectorInputName { get; set; }

    /// <summary>
    /// Gets the model's input name of each feature, by feature name, for the <see cref="OnnxInputLayout.PerFeature"/>
    /// layout; a feature not listed feeds the input of its own name.
    /// </summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> InputNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the output to read: a float tensor of class probabilities [N, K] for a classifier (for binary,
    /// [N, 2] or the positive class's probability as [N, 1] or [N]), the predicted value [N, 1] or [N] for regression.
    /// </summary>
    /// <value>
    /// <see langword="null"/>: the output named <c>probabilities</c> (classifiers) or <c>variable</c> (regression), as
    /// skl2onnx names them, or else the model's only float tensor output.
    /// </value>
    public string? OutputName { get; set; }

    /// <summary>
    /// Gets or sets, for a multiclass task, the class of each column of the probability output in the model's order (for
    /// scikit-learn, <c>model.classes_</c>); every class of the task exactly once.
    /// </summary>
    /// <value><see langword="null"/>: the columns follow the task's classes.</value>
    public IList<string>? ModelClasses { get; set; }

    /// <summary>Gets or sets, for a binary task whose output has two columns, the column of the positive class.</summary>
    /// <value>1 (scikit-learn orders classes [0, 1] and [False, True]).</value>
    public int PositiveClassColumn { get; set; } = 1;

    /// <summary>Gets the ONNX Runtime settings the model is run with in this process (not stored in the artifact).</summary>
    public OnnxSessionOptions Session { get; } = new();
}
