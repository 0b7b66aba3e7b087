namespace FeedbackLoop.Registry;

/// <summary>An immutable registered version of a model.</summary>
/// <param name="ModelName">The model name.</param>
/// <param name="Version">The version number, 1 for the first, increasing by one.</param>
/// <param name="ArtifactSha256">The lowercase hex SHA-256 of the artifact.</param>
/// <param name="ArtifactSize">The artifact size in bytes.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="Description">How it was made.</param>
/// <param name="Metrics">Metrics measured on the holdout, by name.</param>
/// <param name="Lineage">Where it came from, by key.</param>
public sealed record ModelVersion(
    string ModelName,
    int Version,
    string ArtifactSha256,
    long ArtifactSize,
    DateTimeOffset CreatedAt,
    string Description,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Lineage)
{
    /// <summary>Gets the fingerprint of the schema the model was trained on (<see cref="FeatureSchema.Fingerprint"/>); <see langword="null"/> when it was registered without one.</summary>
    public string? SchemaFingerprint { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{ModelName} v{Version}";
}
