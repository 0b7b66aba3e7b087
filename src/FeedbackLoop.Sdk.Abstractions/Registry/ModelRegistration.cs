namespace FeedbackLoop.Registry;

/// <summary>What is registered as a new immutable model version.</summary>
/// <param name="ModelName">The model name (letters, digits, '-', '_', '.').</param>
/// <param name="Artifact">The serialized model.</param>
/// <param name="Description">How it was made (algorithm, hyper-parameters).</param>
/// <param name="Metrics">Metrics measured on the holdout, by name.</param>
/// <param name="Lineage">Where it came from (parent version, training window, reason), by key.</param>
public sealed record ModelRegistration(
    string ModelName,
    ReadOnlyMemory<byte> Artifact,
    string Description,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Lineage)
{
    /// <summary>Gets the fingerprint of the schema the model was trained on (<see cref="FeatureSchema.Fingerprint"/>), kept with the version; <see langword="null"/> when unknown.</summary>
    public string? SchemaFingerprint { get; init; }
}
