using Npgsql;

namespace FeedbackLoop.PostgreSql;

/// <summary>
/// The versioned schema of a FeedbackLoop PostgreSQL schema: one forward migration per version, applied in order in one
/// transaction that also records each in <c>schema_migrations</c>. Instances starting together take turns on an
/// advisory lock, so exactly one migrates and the others find nothing to do.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>The migrations; migration <c>i</c> takes the schema from version <c>i</c> to <c>i + 1</c>. <c>{schema}</c> stands for the schema's name.</summary>
    internal static readonly IReadOnlyList<string> Migrations =
    [
        // Version 1: the model registry and the loops' own state.
        """
        -- Immutable model versions with their artifacts; metrics and lineage are JSON objects.
        CREATE TABLE {schema}.model_versions (
            model text NOT NULL,
            version integer NOT NULL,
            artifact_sha256 text NOT NULL,
            artifact_size bigint NOT NULL,
            created_at timestamptz NOT NULL,
            description text NOT NULL,
            metrics jsonb NOT NULL,
            lineage jsonb NOT NULL,
            schema_fingerprint text NULL,
            artifact bytea NOT NULL,
            PRIMARY KEY (model, version)
        );
        -- Where each alias points, and every move of it.
        CREATE TABLE {schema}.model_aliases (
            model text NOT NULL,
            alias text NOT NULL,
            version integer NOT NULL,
            PRIMARY KEY (model, alias)
        );
        CREATE TABLE {schema}.alias_moves (
            model text NOT NULL,
            alias text NOT NULL,
            seq integer NOT NULL,
            from_version integer NULL,
            to_version integer NOT NULL,
            at timestamptz NOT NULL,
            actor text NOT NULL,
            reason text NOT NULL,
            is_rollback boolean NOT NULL,
            PRIMARY KEY (model, alias, seq)
        );
        -- The loops' own state: one snapshot per loop, saved optimistically by revision.
        CREATE TABLE {schema}.loop_state (
            loop text PRIMARY KEY,
            revision bigint NOT NULL,
            state bytea NOT NULL
        );
        """,
    ];

    /// <summary>The schema version this library writes.</summary>
    internal static int LatestVersion => Migrations.Count;

    /// <summary>
    /// Creates the schema when it is missing and applies the missing migrations, in one transaction under an advisory
    /// lock of the schema.
    /// </summary>
    /// <exception cref="PostgreSqlStoreException">The schema's version is newer than the library knows (nothing is written).</exception>
    internal static async Task MigrateAsync(NpgsqlConnection connection, PostgreSqlDatabase database, IReadOnlyList<string> migrations, CancellationToken cancellationToken)
    {
        var schema = database.Schema;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtextextended('feedbackloop.migrate.' || @schema, 0));", schema, cancellationToken).ConfigureAwait(false);

        // CREATE SCHEMA checks the database privilege even when the schema exists: only a missing schema is created.
        if (await ScalarAsync(connection, "SELECT count(*) FROM pg_namespace WHERE nspname = @schema;", schema, cancellationToken).ConfigureAwait(false) == 0)
        {
            await ExecuteAsync(connection, $"CREATE SCHEMA {schema};", schema, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(
            connection,
            $"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());",
            schema,
            cancellationToken).ConfigureAwait(false);
        var version = await ScalarAsync(connection, $"SELECT coalesce(max(version), 0) FROM {schema}.schema_migrations;", schema, cancellationToken).ConfigureAwait(false);
        if (version > migrations.Count)
        {
            throw new PostgreSqlStoreException(
                $"{database.Source} has schema version {version}, written by a newer FeedbackLoop.Sdk.PostgreSql; this version knows up to {migrations.Count} and writes nothing to it. Upgrade the package.");
        }

        for (var next = (int)version; next < migrations.Count; next++)
        {
            await ExecuteAsync(connection, migrations[next].Replace("{schema}", schema, StringComparison.Ordinal), schema, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"INSERT INTO {schema}.schema_migrations (version) VALUES ({next + 1});", schema, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("schema", schema);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("schema", schema);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
