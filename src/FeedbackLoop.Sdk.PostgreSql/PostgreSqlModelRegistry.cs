using System.Data;
using System.Security.Cryptography;
using System.Text.Json;
using FeedbackLoop.Registry;
using Npgsql;
using NpgsqlTypes;

namespace FeedbackLoop.PostgreSql;

/// <summary>
/// A durable <see cref="IModelRegistry"/> in a PostgreSQL schema: immutable versions numbered from 1 per model with their
/// artifacts and SHA-256, aliases moved atomically, and every alias's history of moves, from which rollback reads its
/// target (<see cref="RollbackTarget"/>). Everything survives a restart, and many registries (in one process or in
/// many, on one machine or many) can share the schema.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe, and safe across processes: each call takes its own pooled connection, and a registration, an alias move
/// or a rollback runs in one transaction that first takes a transaction-scoped advisory lock of the model, then
/// allocates the version number or reads the alias where it writes, so concurrent writers get distinct consecutive
/// versions and an unbroken history. A reader sees an alias's old or new version, never a mix.
/// </para>
/// <para>
/// Times are kept as <c>timestamptz</c>, to the microsecond (PostgreSQL's precision): the clock's time is truncated to
/// the microsecond before it is stored, so <see cref="ModelVersion.CreatedAt"/> and <see cref="AliasMove.At"/> as a call
/// returns them are what later reads give, with a zero offset. Metrics and lineage are kept as <c>jsonb</c> objects,
/// doubles written in their shortest round-trip form, so they read back exactly (NaN, the infinities and negative zero,
/// which PostgreSQL numbers cannot hold, as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> and
/// <c>"-0"</c>). PostgreSQL text cannot hold the NUL character (U+0000): a description, metric name, lineage entry,
/// schema fingerprint, alias, actor or reason containing one is refused with <see cref="ArgumentException"/>, and
/// reads of a model or an alias whose name contains one find nothing.
/// </para>
/// <para>
/// Every method throws <see cref="PostgreSqlStoreException"/>, naming the server, database and schema, when the server
/// cannot be reached or refuses the login or a statement; nothing is then written. A call whose token is cancelled
/// before its transaction commits throws <see cref="OperationCanceledException"/> and writes nothing; once the commit
/// is sent, the call completes.
/// </para>
/// </remarks>
public sealed class PostgreSqlModelRegistry : IModelRegistry
{
    private const string VersionColumns =
        "model, version, artifact_sha256, artifact_size, created_at, description, metrics, lineage, schema_fingerprint";

    private static readonly string JoinedVersionColumns = string.Join(", ", VersionColumns.Split(", ").Select(column => "v." + column));

    private readonly PostgreSqlDatabase _database;
    private readonly TimeProvider _time;
    private readonly string _versions;
    private readonly string _aliases;
    private readonly string _moves;

    /// <summary>Initializes a registry on a PostgreSQL schema, creating the schema and its tables on first use.</summary>
    /// <param name="dataSource">Where connections come from; the caller keeps ownership and disposes it after the registry's last call.</param>
    /// <param name="schema">The schema the library's tables live in: lower-case letters, digits and underscores, starting with a letter or an underscore, at most 63 characters.</param>
    /// <param name="timeProvider">The clock for <see cref="ModelVersion.CreatedAt"/> and <see cref="AliasMove.At"/>; <see cref="TimeProvider.System"/> when omitted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> or <paramref name="schema"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The schema name is empty or not such an identifier.</exception>
    /// <remarks>Nothing is opened until the first call.</remarks>
    public PostgreSqlModelRegistry(NpgsqlDataSource dataSource, string schema = "feedbackloop", TimeProvider? timeProvider = null)
        : this(new PostgreSqlDatabase(dataSource, schema), timeProvider ?? TimeProvider.System)
    {
    }

    /// <summary>Initializes a registry on a schema the loop's other PostgreSQL stores share.</summary>
    /// <param name="database">The schema.</param>
    /// <param name="time">The clock for <see cref="ModelVersion.CreatedAt"/> and <see cref="AliasMove.At"/>.</param>
    internal PostgreSqlModelRegistry(PostgreSqlDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _time = time;
        _versions = $"{database.Schema}.model_versions";
        _aliases = $"{database.Schema}.model_aliases";
        _moves = $"{database.Schema}.alias_moves";
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

        RejectNul(registration.Description, "the registration's description", nameof(registration));
        RejectNul(registration.SchemaFingerprint, "the registration's schema fingerprint", nameof(registration));
        foreach (var name in registration.Metrics.Keys)
        {
            RejectNul(name, "a metric name of the registration", nameof(registration));
        }

        foreach (var (key, value) in registration.Lineage)
        {
            RejectNul(key, "a lineage key of the registration", nameof(registration));
            RejectNul(value, "a lineage value of the registration", nameof(registration));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var artifact = registration.Artifact.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        var metrics = new Dictionary<string, double>(registration.Metrics, StringComparer.Ordinal);
        var lineage = new Dictionary<string, string>(registration.Lineage, StringComparer.Ordinal);
        var metricsJson = RegistryJson.WriteMetrics(metrics);
        var lineageJson = RegistryJson.WriteLineage(lineage);
        return _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await BeginWriteAsync(connection, registration.ModelName, cancellationToken).ConfigureAwait(false);
            var createdAt = Now();

            // The lock is held: the latest version is the one the previous holder committed.
            await using var insert = Command(
                connection,
                transaction,
                $"""
                INSERT INTO {_versions} ({VersionColumns}, artifact)
                SELECT @model, COALESCE(MAX(version), 0) + 1, @sha, @size, @createdAt, @description, @metrics, @lineage, @fingerprint, @artifact
                FROM {_versions} WHERE model = @model
                RETURNING version;
                """,
                Parameter("model", NpgsqlDbType.Text, registration.ModelName),
                Parameter("sha", NpgsqlDbType.Text, sha),
                Parameter("size", NpgsqlDbType.Bigint, artifact.LongLength),
                Parameter("createdAt", NpgsqlDbType.TimestampTz, createdAt),
                Parameter("description", NpgsqlDbType.Text, registration.Description),
                Parameter("metrics", NpgsqlDbType.Jsonb, metricsJson),
                Parameter("lineage", NpgsqlDbType.Jsonb, lineageJson),
                Parameter("fingerprint", NpgsqlDbType.Text, registration.SchemaFingerprint),
                Parameter("artifact", NpgsqlDbType.Bytea, artifact));
            var number = (int)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            await CommitAsync(transaction).ConfigureAwait(false);
            return new ModelVersion(registration.ModelName, number, sha, artifact.LongLength, createdAt, registration.Description, metrics, lineage)
            {
                SchemaFingerprint = registration.SchemaFingerprint,
            };
        });
    }

    /// <inheritdoc />
    public Task<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Storable(modelName))
        {
            return Task.FromResult<ModelVersion?>(null);
        }

        return _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await FindVersionAsync(connection, null, modelName, version, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <inheritdoc />
    public Task<ModelVersion?> GetByAliasAsync(string modelName, string aliasName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(aliasName);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Storable(modelName) || !Storable(aliasName))
        {
            return Task.FromResult<ModelVersion?>(null);
        }

        return _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            var versions = await ReadVersionsAsync(
                connection,
                null,
                $"SELECT {JoinedVersionColumns} FROM {_aliases} a JOIN {_versions} v ON v.model = a.model AND v.version = a.version WHERE a.model = @model AND a.alias = @alias;",
                cancellationToken,
                Parameter("model", NpgsqlDbType.Text, modelName),
                Parameter("alias", NpgsqlDbType.Text, aliasName)).ConfigureAwait(false);
            return versions.SingleOrDefault();
        });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Storable(modelName))
        {
            return Task.FromResult<IReadOnlyList<ModelVersion>>([]);
        }

        return _database.GuardAsync<IReadOnlyList<ModelVersion>>(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await ReadVersionsAsync(
                connection,
                null,
                $"SELECT {VersionColumns} FROM {_versions} WHERE model = @model ORDER BY version;",
                cancellationToken,
                Parameter("model", NpgsqlDbType.Text, modelName)).ConfigureAwait(false);
        });
    }

    /// <inheritdoc />
    public Task<AliasMove> SetAliasAsync(string modelName, string aliasName, int version, AliasChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(aliasName);
        ArgumentNullException.ThrowIfNull(change);
        RejectNul(aliasName, "the alias name", nameof(aliasName));
        RejectNul(change.Actor, "the change's actor", nameof(change));
        RejectNul(change.Reason, "the change's reason", nameof(change));
        cancellationToken.ThrowIfCancellationRequested();
        if (!Storable(modelName))
        {
            throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
        }

        return _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await BeginWriteAsync(connection, modelName, cancellationToken).ConfigureAwait(false);
            await using (var exists = Command(
                connection,
                transaction,
                $"SELECT 1 FROM {_versions} WHERE model = @model AND version = @version;",
                Parameter("model", NpgsqlDbType.Text, modelName),
                Parameter("version", NpgsqlDbType.Integer, version)))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
                }
            }

            var move = await MoveAsync(connection, transaction, modelName, aliasName, version, change, isRollback: false, cancellationToken).ConfigureAwait(false);
            await CommitAsync(transaction).ConfigureAwait(false);
            return move;
        });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string aliasName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(aliasName);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Storable(modelName) || !Storable(aliasName))
        {
            return Task.FromResult<IReadOnlyList<AliasMove>>([]);
        }

        return _database.GuardAsync<IReadOnlyList<AliasMove>>(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await ReadHistoryAsync(connection, null, modelName, aliasName, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <inheritdoc />
    public Task<ModelVersion> RollbackAsync(string modelName, AliasChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(change);
        RejectNul(change.Actor, "the change's actor", nameof(change));
        RejectNul(change.Reason, "the change's reason", nameof(change));
        cancellationToken.ThrowIfCancellationRequested();
        if (!Storable(modelName))
        {
            throw new InvalidOperationException($"Model '{modelName}' has no earlier champion to roll back to.");
        }

        return _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await BeginWriteAsync(connection, modelName, cancellationToken).ConfigureAwait(false);
            var history = await ReadHistoryAsync(connection, transaction, modelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
            if (RollbackTarget.Find(history) is not { } previous)
            {
                throw new InvalidOperationException($"Model '{modelName}' has no earlier champion to roll back to.");
            }

            var restored = await FindVersionAsync(connection, transaction, modelName, previous, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{_database.Source}: the champion history of model '{modelName}' names version {previous}, which is missing.");
            await MoveAsync(connection, transaction, modelName, ModelAliases.Champion, previous, change, isRollback: true, cancellationToken).ConfigureAwait(false);
            await CommitAsync(transaction).ConfigureAwait(false);
            return restored;
        });
    }

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> GetArtifactAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Storable(modelName))
        {
            throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
        }

        return ReadArtifactAsync(modelName, version, cancellationToken);
    }

    private static DateTimeOffset Utc(DateTimeOffset time) => new(time.UtcTicks, TimeSpan.Zero);

    private static bool Storable(string text) => !text.Contains('\0', StringComparison.Ordinal);

    private static void RejectNul(string? text, string what, string parameterName)
    {
        if (text is not null && !Storable(text))
        {
            throw new ArgumentException($"PostgreSQL text cannot hold the NUL character (U+0000), which {what} contains.", parameterName);
        }
    }

    private static NpgsqlParameter Parameter(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        return command;
    }

    // Once the writes are in, the commit is not abandoned halfway: a cancelled COMMIT would leave the caller unsure
    // whether it happened.
    private static Task CommitAsync(NpgsqlTransaction transaction) => transaction.CommitAsync(CancellationToken.None);

    private async Task<ReadOnlyMemory<byte>> ReadArtifactAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        var (artifact, expected) = await _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(
                connection,
                null,
                $"SELECT artifact, artifact_sha256 FROM {_versions} WHERE model = @model AND version = @version;",
                Parameter("model", NpgsqlDbType.Text, modelName),
                Parameter("version", NpgsqlDbType.Integer, version));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? (reader.GetFieldValue<byte[]>(0), reader.GetString(1))
                : throw new KeyNotFoundException($"Model '{modelName}' has no version {version}.");
        }).ConfigureAwait(false);

        var sha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        return string.Equals(sha, expected, StringComparison.Ordinal)
            ? artifact
            : throw new InvalidDataException(
                $"The artifact of {modelName} v{version} in {_database.Source} does not match its SHA-256 {expected}; refusing to load it.");
    }

    /// <summary>The clock's time at UTC, truncated to the microsecond PostgreSQL keeps, so what a call returns is what a read gives.</summary>
    private DateTimeOffset Now()
    {
        var ticks = _time.GetUtcNow().UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    /// <summary>
    /// Begins a read-committed transaction holding the model's advisory lock until it ends: writers of one model take
    /// turns, in this process or any other, and each statement after the lock sees what the previous holder committed.
    /// </summary>
    private async Task<NpgsqlTransaction> BeginWriteAsync(NpgsqlConnection connection, string modelName, CancellationToken cancellationToken)
    {
        // Read committed whatever the server's default: under repeatable read the snapshot, taken before the lock is
        // granted, would miss the version or the move the previous holder committed.
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = Command(
                connection,
                transaction,
                "SELECT pg_advisory_xact_lock(hashtextextended('feedbackloop.registry.' || @schema || '.' || @model, 0));",
                Parameter("schema", NpgsqlDbType.Text, _database.Schema),
                Parameter("model", NpgsqlDbType.Text, modelName));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<AliasMove> MoveAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string modelName,
        string aliasName,
        int version,
        AliasChange change,
        bool isRollback,
        CancellationToken cancellationToken)
    {
        int? from;
        int seq;
        await using (var read = Command(
            connection,
            transaction,
            $"""
            SELECT (SELECT version FROM {_aliases} WHERE model = @model AND alias = @alias),
                   (SELECT COALESCE(MAX(seq), 0) + 1 FROM {_moves} WHERE model = @model AND alias = @alias);
            """,
            Parameter("model", NpgsqlDbType.Text, modelName),
            Parameter("alias", NpgsqlDbType.Text, aliasName)))
        {
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            from = reader.IsDBNull(0) ? null : reader.GetInt32(0);
            seq = reader.GetInt32(1);
        }

        var move = new AliasMove(aliasName, from, version, Now(), change.Actor, change.Reason, isRollback);
        await using (var write = Command(
            connection,
            transaction,
            $"""
            INSERT INTO {_moves} (model, alias, seq, from_version, to_version, at, actor, reason, is_rollback)
            VALUES (@model, @alias, @seq, @from, @to, @at, @actor, @reason, @rollback);
            """,
            Parameter("model", NpgsqlDbType.Text, modelName),
            Parameter("alias", NpgsqlDbType.Text, aliasName),
            Parameter("seq", NpgsqlDbType.Integer, seq),
            Parameter("from", NpgsqlDbType.Integer, move.FromVersion),
            Parameter("to", NpgsqlDbType.Integer, version),
            Parameter("at", NpgsqlDbType.TimestampTz, move.At),
            Parameter("actor", NpgsqlDbType.Text, move.Actor),
            Parameter("reason", NpgsqlDbType.Text, move.Reason),
            Parameter("rollback", NpgsqlDbType.Boolean, isRollback)))
        {
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var point = Command(
            connection,
            transaction,
            $"""
            INSERT INTO {_aliases} (model, alias, version) VALUES (@model, @alias, @version) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version;
            SELECT pg_notify('{AliasMoved.Channel}', @announced);
            """,
            Parameter("model", NpgsqlDbType.Text, modelName),
            Parameter("announced", NpgsqlDbType.Text, AliasMoved.Payload(_database.Schema, modelName)),
            Parameter("alias", NpgsqlDbType.Text, aliasName),
            Parameter("version", NpgsqlDbType.Integer, version)))
        {
            await point.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return move;
    }

    private async Task<ModelVersion?> FindVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string modelName, int version, CancellationToken cancellationToken)
    {
        var versions = await ReadVersionsAsync(
            connection,
            transaction,
            $"SELECT {VersionColumns} FROM {_versions} WHERE model = @model AND version = @version;",
            cancellationToken,
            Parameter("model", NpgsqlDbType.Text, modelName),
            Parameter("version", NpgsqlDbType.Integer, version)).ConfigureAwait(false);
        return versions.SingleOrDefault();
    }

    private async Task<List<ModelVersion>> ReadVersionsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params NpgsqlParameter[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<ModelVersion>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var modelName = reader.GetString(0);
            var version = reader.GetInt32(1);
            Dictionary<string, double> metrics;
            Dictionary<string, string> lineage;
            try
            {
                metrics = RegistryJson.ReadMetrics(reader.GetString(6));
                lineage = RegistryJson.ReadLineage(reader.GetString(7));
            }
            catch (JsonException exception)
            {
                throw new InvalidDataException($"{_database.Source}: the metrics or lineage of {modelName} v{version} are not valid: {exception.Message}", exception);
            }

            versions.Add(new ModelVersion(
                modelName,
                version,
                reader.GetString(2),
                reader.GetInt64(3),
                Utc(reader.GetFieldValue<DateTimeOffset>(4)),
                reader.GetString(5),
                metrics,
                lineage)
            {
                SchemaFingerprint = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        }

        return versions;
    }

    private async Task<List<AliasMove>> ReadHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string modelName, string aliasName, CancellationToken cancellationToken)
    {
        await using var command = Command(
            connection,
            transaction,
            $"SELECT alias, from_version, to_version, at, actor, reason, is_rollback FROM {_moves} WHERE model = @model AND alias = @alias ORDER BY seq;",
            Parameter("model", NpgsqlDbType.Text, modelName),
            Parameter("alias", NpgsqlDbType.Text, aliasName));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var history = new List<AliasMove>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            history.Add(new AliasMove(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetInt32(1),
                reader.GetInt32(2),
                Utc(reader.GetFieldValue<DateTimeOffset>(3)),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetBoolean(6)));
        }

        return history;
    }
}
