using System.Security.Cryptography;
using System.Text.Json;
using FeedbackLoop.Registry;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Sqlite;

/// <summary>
/// A durable <see cref="IModelRegistry"/> in a SQLite file: immutable versions numbered from 1 per model with their
/// artifacts and SHA-256, aliases moved atomically, and every alias's history of moves, from which rollback reads its
/// target (<see cref="RollbackTarget"/>). Everything survives a restart, and several registries (in one process or in
/// several) can share the file.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe, and safe across processes: each call opens its own pooled connection, and a registration, an alias move
/// or a rollback runs in one immediate transaction, which allocates the version number or reads the alias where it
/// writes, so concurrent writers get distinct consecutive versions and an unbroken history. A reader sees an alias's old
/// or new version, never a mix.
/// </para>
/// <para>
/// Times are kept as UTC ticks (<see cref="ModelVersion.CreatedAt"/> and <see cref="AliasMove.At"/> read back with a
/// zero offset); metrics and lineage as JSON, doubles written in their shortest round-trip form, so they read back
/// exactly (NaN and the infinities as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>). Calls run
/// synchronously on the caller's thread, as Microsoft.Data.Sqlite does. Every method throws
/// <see cref="SqliteStoreException"/>, naming the file, when the file cannot be opened, read or written (or stays locked
/// past the busy timeout); nothing is then written.
/// </para>
/// </remarks>
public sealed class SqliteModelRegistry : IModelRegistry
{
    private const string VersionColumns =
        "model, version, artifact_sha256, artifact_size, created_at, description, metrics, lineage, schema_fingerprint";

    private static readonly string JoinedVersionColumns = string.Join(", ", VersionColumns.Split(", ").Select(column => "v." + column));

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Initializes a registry on a SQLite file, creating the file and its schema on first use.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file (<c>Data Source=feedbackloop.db</c>).</param>
    /// <param name="timeProvider">The clock for <see cref="ModelVersion.CreatedAt"/> and <see cref="AliasMove.At"/>; <see cref="TimeProvider.System"/> when omitted.</param>
    /// <exception cref="ArgumentException">The connection string is empty or not valid, names no file, or names an in-memory database (which is not durable).</exception>
    /// <remarks>Nothing is opened until the first call; a write waits up to 5 seconds for a lock another connection or process holds.</remarks>
    public SqliteModelRegistry(string connectionString, TimeProvider? timeProvider = null)
        : this(new SqliteDatabase(connectionString, SqliteOptions.DefaultBusyTimeout), timeProvider ?? TimeProvider.System)
    {
    }

    /// <summary>Initializes a registry on a database the loop's other SQLite stores share.</summary>
    /// <param name="database">The file.</param>
    /// <param name="time">The clock for <see cref="ModelVersion.CreatedAt"/> and <see cref="AliasMove.At"/>.</param>
    internal SqliteModelRegistry(SqliteDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _time = time;
    }

    /// <inheritdoc />
    public Task<ModelVersion> RegisterAsync(ModelRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ModelNames.Validate(registration.ModelName, nameof(registration));
        if (registration.Artifact.IsEmpty)
        {
            throw new ArgumentException("A model artifact cannot be empty.", nameof(registration));
        }

        if (registration.Description is null || registration.Metrics is null || registration.Lineage is null)
        {
            throw new ArgumentException("A registration's description, metrics and lineage cannot be null.", nameof(registration));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var artifact = registration.Artifact.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        var metrics = new Dictionary<string, double>(registration.Metrics, StringComparer.Ordinal);
        var lineage = new Dictionary<string, string>(registration.Lineage, StringComparer.Ordinal);
        var metricsJson = RegistryJson.WriteMetrics(metrics);
        var lineageJson = RegistryJson.WriteLineage(lineage);
        return Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            var number = checked((int)(long)SqliteCommands.Scalar(
                connection,
                transaction,
                "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = $model;",
                ("$model", registration.ModelName))!);
            var createdAt = Utc(_time.GetUtcNow());
            SqliteCommands.Execute(
                connection,
                transaction,
                $"INSERT INTO model_versions ({VersionColumns}, artifact) VALUES ($model, $version, $sha, $size, $createdAt, $description, $metrics, $lineage, $fingerprint, $artifact);",
                ("$model", registration.ModelName),
                ("$version", number),
                ("$sha", sha),
                ("$size", artifact.LongLength),
                ("$createdAt", createdAt.UtcTicks),
                ("$description", registration.Description),
                ("$metrics", metricsJson),
                ("$lineage", lineageJson),
                ("$fingerprint", registration.SchemaFingerprint),
                ("$artifact", artifact));
            transaction.Commit();
            return new ModelVersion(registration.ModelName, number, sha, artifact.LongLength, createdAt, registration.Description, metrics, lineage)
            {
                SchemaFingerprint = registration.SchemaFingerprint,
            };
        }));
    }

    /// <inheritdoc />
    public Task<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            return FindVersion(connection, null, modelName, version);
        }));
    }

    /// <inheritdoc />
    public Task<ModelVersion?> GetByAliasAsync(string modelName, string aliasName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(aliasName);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            return ReadVersions(
                connection,
                null,
                $"SELECT {JoinedVersionColumns} FROM model_aliases a JOIN model_versions v ON v.model = a.model AND v.version = a.version WHERE a.model = $model AND a.alias = $alias;",
                ("$model", modelName),
                ("$alias", aliasName)).SingleOrDefault();
        }));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            IReadOnlyList<ModelVersion> versions = ReadVersions(
                connection,
                null,
                $"SELECT {VersionColumns} FROM model_versions WHERE model = $model ORDER BY version;",
                ("$model", modelName));
            return versions;
        }));
    }

    /// <inheritdoc />
    public Task<AliasMove> SetAliasAsync(string modelName, string aliasName, int version, AliasChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(aliasName);
        ArgumentNullException.ThrowIfNull(change);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            if (SqliteCommands.Scalar(connection, transaction, "SELECT 1 FROM model_versions WHERE model = $model AND version = $version;", ("$model", modelName), ("$version", version)) is null)
            {
                throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
            }

            var move = Move(connection, transaction, modelName, aliasName, version, change, isRollback: false);
            transaction.Commit();
            return move;
        }));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string aliasName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(aliasName);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            IReadOnlyList<AliasMove> history = ReadHistory(connection, null, modelName, aliasName);
            return history;
        }));
    }

    /// <inheritdoc />
    public Task<ModelVersion> RollbackAsync(string modelName, AliasChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(change);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            if (RollbackTarget.Find(ReadHistory(connection, transaction, modelName, ModelAliases.Champion)) is not { } previous)
            {
                throw new InvalidOperationException($"Model '{modelName}' has no earlier champion to roll back to.");
            }

            var restored = FindVersion(connection, transaction, modelName, previous)
                ?? throw new InvalidDataException($"'{_database.Source}': the champion history of model '{modelName}' names version {previous}, which is missing.");
            Move(connection, transaction, modelName, ModelAliases.Champion, previous, change, isRollback: true);
            transaction.Commit();
            return restored;
        }));
    }

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> GetArtifactAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        var (artifact, expected) = _database.Guard(() =>
        {
            using var connection = _database.Open();
            using var command = SqliteCommands.Create(
                connection,
                null,
                "SELECT artifact, artifact_sha256 FROM model_versions WHERE model = $model AND version = $version;",
                ("$model", modelName),
                ("$version", version));
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? (reader.GetFieldValue<byte[]>(0), reader.GetString(1))
                : throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
        });

        var sha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        return string.Equals(sha, expected, StringComparison.Ordinal)
            ? Task.FromResult<ReadOnlyMemory<byte>>(artifact)
            : throw new InvalidDataException(
                $"The artifact of {modelName} v{version} in '{_database.Source}' does not match its SHA-256 {expected}; refusing to load it.");
    }

    private static DateTimeOffset Utc(DateTimeOffset time) => new(time.UtcTicks, TimeSpan.Zero);

    private AliasMove Move(SqliteConnection connection, SqliteTransaction transaction, string modelName, string aliasName, int version, AliasChange change, bool isRollback)
    {
        var from = SqliteCommands.Scalar(connection, transaction, "SELECT version FROM model_aliases WHERE model = $model AND alias = $alias;", ("$model", modelName), ("$alias", aliasName));
        var seq = (long)SqliteCommands.Scalar(
            connection,
            transaction,
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM alias_moves WHERE model = $model AND alias = $alias;",
            ("$model", modelName),
            ("$alias", aliasName))!;
        var move = new AliasMove(aliasName, from is long previous ? checked((int)previous) : null, version, Utc(_time.GetUtcNow()), change.Actor, change.Reason, isRollback);
        SqliteCommands.Execute(
            connection,
            transaction,
            "INSERT INTO alias_moves (model, alias, seq, from_version, to_version, at, actor, reason, is_rollback) VALUES ($model, $alias, $seq, $from, $to, $at, $actor, $reason, $rollback);",
            ("$model", modelName),
            ("$alias", aliasName),
            ("$seq", seq),
            ("$from", move.FromVersion),
            ("$to", version),
            ("$at", move.At.UtcTicks),
            ("$actor", move.Actor),
            ("$reason", move.Reason),
            ("$rollback", isRollback ? 1 : 0));
        SqliteCommands.Execute(
            connection,
            transaction,
            "INSERT INTO model_aliases (model, alias, version) VALUES ($model, $alias, $version) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version;",
            ("$model", modelName),
            ("$alias", aliasName),
            ("$version", version));
        return move;
    }

    private ModelVersion? FindVersion(SqliteConnection connection, SqliteTransaction? transaction, string modelName, int version) =>
        ReadVersions(
            connection,
            transaction,
            $"SELECT {VersionColumns} FROM model_versions WHERE model = $model AND version = $version;",
            ("$model", modelName),
            ("$version", version)).SingleOrDefault();

    private List<ModelVersion> ReadVersions(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = SqliteCommands.Create(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var versions = new List<ModelVersion>();
        while (reader.Read())
        {
            var modelName = reader.GetString(0);
            var version = checked((int)reader.GetInt64(1));
            Dictionary<string, double> metrics;
            Dictionary<string, string> lineage;
            try
            {
                metrics = RegistryJson.ReadMetrics(reader.GetString(6));
                lineage = RegistryJson.ReadLineage(reader.GetString(7));
            }
            catch (JsonException exception)
            {
                throw new InvalidDataException($"'{_database.Source}': the metrics or lineage of {modelName} v{version} are not valid: {exception.Message}", exception);
            }

            versions.Add(new ModelVersion(
                modelName,
                version,
                reader.GetString(2),
                reader.GetInt64(3),
                new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
                reader.GetString(5),
                metrics,
                lineage)
            {
                SchemaFingerprint = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        }

        return versions;
    }

    private static List<AliasMove> ReadHistory(SqliteConnection connection, SqliteTransaction? transaction, string modelName, string aliasName)
    {
        using var command = SqliteCommands.Create(
            connection,
            transaction,
            "SELECT alias, from_version, to_version, at, actor, reason, is_rollback FROM alias_moves WHERE model = $model AND alias = $alias ORDER BY seq;",
            ("$model", modelName),
            ("$alias", aliasName));
        using var reader = command.ExecuteReader();
        var history = new List<AliasMove>();
        while (reader.Read())
        {
            history.Add(new AliasMove(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : checked((int)reader.GetInt64(1)),
                checked((int)reader.GetInt64(2)),
                new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetInt64(6) != 0));
        }

        return history;
    }
}
