namespace FeedbackLoop.Onnx;

/// <summary>
/// Thrown by <see cref="OnnxPredictor.Predict"/> when the model's output cannot be a prediction of the loop's task: class
/// probabilities that are not a distribution (outside [0, 1], not summing to 1 within
/// <see cref="Models.ModelTask.ProbabilitySumTolerance"/>, or of another length), a regression value that is NaN or
/// infinite, or a run that ONNX Runtime failed. Nothing is recorded for that input.
/// </summary>
/// <remarks>
/// An <see cref="InvalidOperationException"/>, as <see cref="IFeedbackLoop.Predict"/> documents for a model whose output
/// does not fit the loop, so a host that handles that case handles this one.
/// </remarks>
public sealed class OnnxPredictionException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public OnnxPredictionException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What the model returned, naming its output.</param>
    public OnnxPredictionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">ONNX Runtime's exception.</param>
    public OnnxPredictionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
