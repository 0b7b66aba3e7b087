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

        // Version 2: the loops' events. Values are kept in PostgreSQL's own types (a label as its kind, number and
        // category), so that they can be read with SQL; times as .NET ticks (UTC), to the 100 ns.
        """
        -- Predictions, one row each, keyed by the prediction id (version-7 ids sort by time).
        CREATE TABLE {schema}.predictions (
            loop text NOT NULL,
            id uuid NOT NULL,
            seq bigint NOT NULL,
            model text NOT NULL,
            model_version text NOT NULL,
            ts bigint NOT NULL,
            numeric_features float8[] NOT NULL,
            categorical_features text[] NOT NULL,
            label_kind smallint NOT NULL,
            label_number float8 NULL,
            label_category text NULL,
            score float8 NOT NULL,
            probabilities float8[] NOT NULL,
            segment_keys text[] NOT NULL,
            segment_values text[] NOT NULL,
            PRIMARY KEY (loop, id)
        );
        -- Labelled windows and retention read by prediction time.
        CREATE INDEX predictions_by_time ON {schema}.predictions (loop, ts, seq);

        -- Every feedback event: applied to its prediction (state 0; a label row is the join) or waiting for it
        -- (state 1, an orphan, whichever instance received it).
        CREATE TABLE {schema}.feedback (
            loop text NOT NULL,
            prediction_id uuid NOT NULL,
            id uuid NOT NULL,
            seq bigint NOT NULL,
            state smallint NOT NULL,
            kind smallint NOT NULL,
            value_kind smallint NOT NULL,
            value_number float8 NULL,
            value_category text NULL,
            source text NOT NULL,
            ts bigint NOT NULL,
            received_at bigint NOT NULL,
            PRIMARY KEY (loop, prediction_id, id)
        );
        CREATE INDEX feedback_orphans ON {schema}.feedback (loop, received_at) WHERE state = 1;

        -- The event store's counters per loop; appends of one loop take turns on its row.
        CREATE TABLE {schema}.event_counters (
            loop text PRIMARY KEY,
            next_seq bigint NOT NULL,
            predictions bigint NOT NULL,
            duplicate_predictions bigint NOT NULL,
            evicted bigint NOT NULL,
            joined bigint NOT NULL,
            duplicate_feedback bigint NOT NULL,
            rejected bigint NOT NULL,
            orphans_pending bigint NOT NULL,
            orphans_expired bigint NOT NULL,
            labelled bigint NOT NULL,
            schema_fingerprint text NOT NULL
        );
        """,

        // Version 3: the stream of applied events that the instance leading a cycle reads. Predictions and joins take
        // their positions from the loop's one sequence (next_seq), under the counters row's lock, so positions grow in
        // commit order and a reader that has seen a position has seen every smaller one.
        """
        -- Where an applied feedback event joined its prediction in the loop's sequence: its own seq when it arrived after
        -- the prediction, the adoption's when it waited as an orphan; NULL while it waits.
        ALTER TABLE {schema}.feedback ADD COLUMN join_seq bigint NULL;
        UPDATE {schema}.feedback SET join_seq = seq WHERE state = 0;
        -- Positions grow with the rows' physical order, so block-range (BRIN) indexes find the newest ones at a fraction
        -- of a b-tree's cost to maintain on every insert.
        CREATE INDEX feedback_by_join ON {schema}.feedback USING brin (join_seq);
        CREATE INDEX predictions_by_seq ON {schema}.predictions USING brin (seq);
        """,

        // Version 4: appends of a loop no longer take turns. A row's position is its transaction's id times 2^24 plus
        // its place in the transaction, and the stream is read only below the oldest transaction still running, so a
        // reader still sees every position once and in order; the counters are sums of per-writer stripes. Positions of
        // version 3 (a loop's count of events) stay below the new ones (a cluster's transaction ids start in the hundreds,
        // so a new position exceeds 2^32).
        """
        CREATE TABLE {schema}.event_counts (
            loop text NOT NULL,
            stripe smallint NOT NULL,
            predictions bigint NOT NULL,
            duplicate_predictions bigint NOT NULL,
            evicted bigint NOT NULL,
            joined bigint NOT NULL,
            duplicate_feedback bigint NOT NULL,
            rejected bigint NOT NULL,
            orphans_pending bigint NOT NULL,
            orphans_expired bigint NOT NULL,
            labelled bigint NOT NULL,
            PRIMARY KEY (loop, stripe)
        );
        INSERT INTO {schema}.event_counts
        SELECT loop, 0, predictions, duplicate_predictions, evicted, joined, duplicate_feedback, rejected, orphans_pending, orphans_expired, labelled
        FROM {schema}.event_counters;
        -- What remains of the counters row: the loop's feature schema, written by its first append.
        ALTER TABLE {schema}.event_counters RENAME TO event_loops;
        -- Raised in an append whose adopted or dropped orphan another writer joined or expired meanwhile: a serialization
        -- failure, so the append is decided again.
        CREATE FUNCTION {schema}.orphan_changed() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'an orphan the batch adopts or drops was joined or expired by another writer' USING ERRCODE = 'serialization_failure';
        END
        $$;
        ALTER TABLE {schema}.event_loops DROP COLUMN next_seq, DROP COLUMN predictions, DROP COLUMN duplicate_predictions, DROP COLUMN evicted,
            DROP COLUMN joined, DROP COLUMN duplicate_feedback, DROP COLUMN rejected, DROP COLUMN orphans_pending, DROP COLUMN orphans_expired,
            DROP COLUMN labelled;
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
