namespace FeedbackLoop;

/// <summary>One prediction a model made: the event the loop records and later joins feedback to.</summary>
/// <remarks>
/// Immutable and thread-safe: the constructor keeps a read-only copy of the features and of the segment tags, so a
/// host that reuses its <see cref="FeatureVector"/> or its dictionary cannot change a recorded prediction.
/// </remarks>
public sealed class Prediction
{
    /// <summary>Initializes a new prediction.</summary>
    /// <param name="id">The identifier feedback will refer to.</param>
    /// <param name="modelName">The model (loop) name.</param>
    /// <param name="modelVersion">The model version that produced the output.</param>
    /// <param name="timestamp">When the prediction was made.</param>
    /// <param name="features">The inputs.</param>
    /// <param name="output">The model's output.</param>
    /// <param name="segments">Tags for slicing (for example region, channel); optional.</param>
    /// <exception cref="ArgumentException">The id is empty, the model name is empty, or a segment tag has an empty key or a null value.</exception>
    public Prediction(
        PredictionId id,
        string modelName,
        string modelVersion,
        DateTimeOffset timestamp,
        FeatureVector features,
        PredictionOutput output,
        IReadOnlyDictionary<string, string>? segments = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentNullException.ThrowIfNull(modelVersion);
        ArgumentNullException.ThrowIfNull(features);
        if (id.Value == Guid.Empty)
        {
            throw new ArgumentException("A prediction id cannot be empty: it is what feedback is joined by.", nameof(id));
        }

        Id = id;
        ModelName = modelName;
        ModelVersion = modelVersion;
        Timestamp = timestamp;
        Features = features.AsReadOnly();
        Output = output;
        Segments = SegmentDictionary.From(segments);
    }

    /// <summary>Gets the identifier feedback refers to.</summary>
    public PredictionId Id { get; }

    /// <summary>Gets the model (loop) name.</summary>
    public string ModelName { get; }

    /// <summary>Gets the version of the model that produced the output.</summary>
    public string ModelVersion { get; }

    /// <summary>Gets when the prediction was made.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the inputs (a read-only copy of the vector passed to the constructor).</summary>
    public FeatureVector Features { get; }

    /// <summary>Gets the model's output.</summary>
    public PredictionOutput Output { get; }

    /// <summary>Gets the segment tags used to slice metrics (empty when none).</summary>
    public SegmentDictionary Segments { get; }
}
