using System.Security.Cryptography;

namespace FeedbackLoop.Registry;

/// <summary>
/// An in-memory <see cref="IModelRegistry"/>: immutable versions numbered from 1, artifacts kept with their
/// SHA-256, aliases moved atomically, and a champion history for one-call rollback.
/// </summary>
/// <remarks>Thread-safe. Contents are lost when the process ends; use a durable registry to survive restarts.</remarks>
public sealed class InMemoryModelRegistry : IModelRegistry
{
    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, ModelEntry> _models = new(StringComparer.Ordinal);

    /// <summary>Initializes a new registry.</summary>
    /// <param name="timeProvider">The clock for <see cref="ModelVersion.CreatedAt"/>; <see cref="TimeProvider.System"/> when omitted.</param>
    public InMemoryModelRegistry(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public Task<ModelVersion> RegisterAsync(ModelRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ValidateName(registration.ModelName);
        if (registration.Artifact.IsEmpty)
        {
            throw new ArgumentException("A model artifact cannot be empty.", nameof(registration));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var artifact = registration.Artifact.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        lock (_sync)
        {
            if (!_models.TryGetValue(registration.ModelName, out var model))
            {
                model = new ModelEntry();
                _models.Add(registration.ModelName, model);
            }

            var version = new ModelVersion(
                registration.ModelName,
                model.Versions.Count + 1,
                sha,
                artifact.LongLength,
                _time.GetUtcNow(),
                registration.Description,
                new Dictionary<string, double>(registration.Metrics),
                new Dictionary<string, string>(registration.Lineage));
            model.Versions.Add(new StoredVersion(version, artifact));
            return Task.FromResult(version);
        }
    }

    /// <inheritdoc />
    public Task<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return Task.FromResult(TryGet(modelName, version)?.Version);
        }
    }

    /// <inheritdoc />
    public Task<ModelVersion?> GetByAliasAsync(string modelName, string aliasName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aliasName);
        lock (_sync)
        {
            return Task.FromResult(
                _models.TryGetValue(modelName, out var model) && model.Aliases.TryGetValue(aliasName, out var number)
                    ? model.Versions[number - 1].Version
                    : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            IReadOnlyList<ModelVersion> versions = _models.TryGetValue(modelName, out var model)
                ? model.Versions.ConvertAll(v => v.Version)
                : [];
            return Task.FromResult(versions);
        }
    }

    /// <inheritdoc />
    public Task<ModelVersion> SetAliasAsync(string modelName, string aliasName, int version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(aliasName);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            var stored = TryGet(modelName, version)
                ?? throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
            var model = _models[modelName];
            if (model.Aliases.TryGetValue(aliasName, out var previous) && previous != version &&
                string.Equals(aliasName, ModelAliases.Champion, StringComparison.Ordinal))
            {
                model.ChampionHistory.Push(previous);
            }

            model.Aliases[aliasName] = version;
            return Task.FromResult(stored.Version);
        }
    }

    /// <inheritdoc />
    public Task<ModelVersion> RollbackAsync(string modelName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            if (!_models.TryGetValue(modelName, out var model) || !model.ChampionHistory.TryPop(out var previous))
            {
                throw new InvalidOperationException($"Model '{modelName}' has no earlier champion to roll back to.");
            }

            model.Aliases[ModelAliases.Champion] = previous;
            return Task.FromResult(model.Versions[previous - 1].Version);
        }
    }

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> GetArtifactAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        StoredVersion stored;
        lock (_sync)
        {
            stored = TryGet(modelName, version) ?? throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(stored.Artifact));
        return string.Equals(sha, stored.Version.ArtifactSha256, StringComparison.Ordinal)
            ? Task.FromResult<ReadOnlyMemory<byte>>(stored.Artifact.AsMemory())
            : throw new InvalidDataException($"The artifact of {stored.Version} does not match its SHA-256 {stored.Version.ArtifactSha256}; refusing to load it.");
    }

    /// <summary>Corrupts a stored artifact in place; lets tests prove that a tampered artifact is refused.</summary>
    internal void TamperWithArtifactForTesting(string modelName, int version)
    {
        lock (_sync)
        {
            TryGet(modelName, version)!.Artifact[0] ^= 0xFF;
        }
    }

    private static void ValidateName(string modelName) => ModelNames.Validate(modelName, nameof(modelName));

    private StoredVersion? TryGet(string modelName, int version) =>
        _models.TryGetValue(modelName, out var model) && version >= 1 && version <= model.Versions.Count
            ? model.Versions[version - 1]
            : null;

    private sealed class ModelEntry
    {
        public List<StoredVersion> Versions { get; } = [];

        public Dictionary<string, int> Aliases { get; } = new(StringComparer.Ordinal);

        public Stack<int> ChampionHistory { get; } = new();
    }

    private sealed record StoredVersion(ModelVersion Version, byte[] Artifact);
}
