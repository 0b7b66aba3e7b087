namespace FeedbackLoop.Onnx;

/// <summary>
/// Thrown when an ONNX model or its artifact cannot serve a loop: the bytes are corrupt or truncated, ONNX Runtime
/// refuses the model, the artifact was mapped to another schema, or the model's inputs or outputs do not fit the schema,
/// the task or the mapping (the message names the input, output or feature). Nothing has been promoted or served.
/// </summary>
/// <remarks>A <see cref="FormatException"/>, as <see cref="Models.IModelArtifactLoader.Load"/> documents for an artifact that does not restore.</remarks>
public sealed class InvalidOnnxModelException : FormatException
{
    /// <summary>Initializes a new instance.</summary>
    public InvalidOnnxModelException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong, naming the input, output or feature.</param>
    public InvalidOnnxModelException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause, for example ONNX Runtime's <c>OnnxRuntimeException</c>.</param>
    public InvalidOnnxModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
