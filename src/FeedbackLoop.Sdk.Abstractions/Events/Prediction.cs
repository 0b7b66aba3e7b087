namespace FeedbackLoop;

/// <summary>One prediction a model made: the event the loop records and later joins feedback to.</summary>
/// <remarks>Immutable once constructed (do not change its <see cref="FeatureVector"/> afterwards). Thread-safe to read.</remarks>
public sealed class Prediction
{
    private static readonly IReadOnlyDictionary<string, string> NoSegments = new Dictionary<string, string>();

    /// <summary>Initializes a new prediction.</summary>
    /// <param name="id">The identifier feedback will refer to.</param>
    /// <param name="modelName">The model (loop) name.</param>
    /// <param name="modelVersion">The model version that produced the output.</param>
    /// <param name="timestamp">When the prediction was made.</param>
    /// <param name="features">The inputs.</param>
    /// <param name="output">The model's output.</param>
    /// <param name="segments">Tags for slicing (for example region, channel); optional.</param>
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
        Id = id;
        ModelName = modelName;
        ModelVersion = modelVersion;
        Timestamp = timestamp;
        Features = features;
        Output = output;
        Segments = segments ?? NoSegments;
    }

    /// <summary>Gets the identifier feedback refers to.</summary>
    public PredictionId Id { get; }

    /// <summary>Gets the model (loop) name.</summary>
    public string ModelName { get; }

    /// <summary>Gets the version of the model that produced the output.</summary>
    public string ModelVersion { get; }

    /// <summary>Gets when the prediction was made.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the inputs.</summary>
    public FeatureVector Features { get; }

    /// <summary>Gets the model's output.</summary>
    public PredictionOutput Output { get; }

    /// <summary>Gets the segment tags used to slice metrics (empty when none).</summary>
    public IReadOnlyDictionary<string, string> Segments { get; }
}
