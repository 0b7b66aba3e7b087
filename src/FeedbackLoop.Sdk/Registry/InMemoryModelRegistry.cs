using System.Security.Cryptography;

namespace FeedbackLoop.Registry;

/// <summary>
/// An in-memory <see cref="IModelRegistry"/>: immutable versions numbered from 1, artifacts kept with their
/// SHA-256, aliases moved atomically, and every alias's history of moves, from which rollback reads its target.
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
                new Dictionary<string, string>(registration.Lineage))
            {
                SchemaFingerprint = registration.SchemaFingerprint,
            };
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
    public Task<AliasMove> SetAliasAsync(string modelName, string aliasName, int version, AliasChange change, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(aliasName);
        ArgumentNullException.ThrowIfNull(change);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            _ = TryGet(modelName, version) ?? throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
            return Task.FromResult(Move(_models[modelName], aliasName, version, change, isRollback: false));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string aliasName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aliasName);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            IReadOnlyList<AliasMove> history = _models.TryGetValue(modelName, out var model) && model.History.TryGetValue(aliasName, out var moves)
                ? [.. moves]
                : [];
            return Task.FromResult(history);
        }
    }

    /// <inheritdoc />
    public Task<ModelVersion> RollbackAsync(string modelName, AliasChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            if (!_models.TryGetValue(modelName, out var model)
                || !model.History.TryGetValue(ModelAliases.Champion, out var history)
                || RollbackTarget.Find(history) is not { } previous)
            {
                throw new InvalidOperationException($"Model '{modelName}' has no earlier champion to roll back to.");
            }

            Move(model, ModelAliases.Champion, previous, change, isRollback: true);
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

    private AliasMove Move(ModelEntry model, string aliasName, int version, AliasChange change, bool isRollback)
    {
        int? from = model.Aliases.TryGetValue(aliasName, out var previous) ? previous : null;
        var move = new AliasMove(aliasName, from, version, _time.GetUtcNow(), change.Actor, change.Reason, isRollback);
        model.Aliases[aliasName] = version;
        if (!model.History.TryGetValue(aliasName, out var moves))
        {
            moves = [];
            model.History.Add(aliasName, moves);
        }

        moves.Add(move);
        return move;
    }

    private StoredVersion? TryGet(string modelName, int version) =>
        _models.TryGetValue(modelName, out var model) && version >= 1 && version <= model.Versions.Count
            ? model.Versions[version - 1]
            : null;

    private sealed class ModelEntry
    {
        public List<StoredVersion> Versions { get; } = [];

        public Dictionary<string, int> Aliases { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<AliasMove>> History { get; } = new(StringComparer.Ordinal);
    }

    private sealed record StoredVersion(ModelVersion Version, byte[] Artifact);
}
