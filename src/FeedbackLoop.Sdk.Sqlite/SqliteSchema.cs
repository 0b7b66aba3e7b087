using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Sqlite;

/// <summary>
/// The versioned schema of a FeedbackLoop SQLite file: one forward migration per version, applied in order in one
/// transaction each, the version kept in <c>PRAGMA user_version</c> and the file marked as ours with
/// <c>PRAGMA application_id</c>. Several loops share one file: every table is keyed by the loop's (or the model's) name.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>"FBLP": marks a file as a FeedbackLoop database.</summary>
    internal const int ApplicationId = 0x46424C50;

    /// <summary>The migrations; migration <c>i</c> takes the schema from version <c>i</c> to <c>i + 1</c>.</summary>
    internal static readonly IReadOnlyList<string> Migrations =
    [
        // Version 1.
        """
        -- Predictions, one row each, written once. Ids are 16 bytes in network order: version-7 ids sort by time, so
        -- inserts land on the last pages of the key.
        CREATE TABLE predictions (
            loop TEXT NOT NULL,
            id BLOB NOT NULL,
            seq INTEGER NOT NULL,
            model TEXT NOT NULL,
            model_version TEXT NOT NULL,
            ts INTEGER NOT NULL,
            features BLOB NOT NULL,
            output BLOB NOT NULL,
            segments BLOB NULL,
            PRIMARY KEY (loop, id)
        ) WITHOUT ROWID;
        -- Labelled windows and retention read by prediction time.
        CREATE INDEX predictions_by_time ON predictions (loop, ts, seq);

        -- Every feedback event, written once: applied to its prediction (state 0; a label row is the join) or waiting
        -- for it (state 1, an orphan). Keyed by prediction, so a prediction's feedback is read together, and so that a
        -- re-delivered event is a duplicate also after a restart.
        CREATE TABLE feedback (
            loop TEXT NOT NULL,
            prediction_id BLOB NOT NULL,
            id BLOB NOT NULL,
            seq INTEGER NOT NULL,
            state INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            value BLOB NOT NULL,
            source TEXT NOT NULL,
            ts INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (loop, prediction_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX feedback_orphans ON feedback (loop, received_at) WHERE state = 1;

        -- The event store's counters, per loop.
        CREATE TABLE event_counters (
            loop TEXT NOT NULL PRIMARY KEY,
            next_seq INTEGER NOT NULL,
            predictions INTEGER NOT NULL,
            duplicate_predictions INTEGER NOT NULL,
            evicted INTEGER NOT NULL,
            joined INTEGER NOT NULL,
            duplicate_feedback INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            orphans_pending INTEGER NOT NULL,
            orphans_expired INTEGER NOT NULL,
            labelled INTEGER NOT NULL,
            schema_fingerprint TEXT NOT NULL
        );

        -- The model registry: immutable versions with their artifacts, aliases, and every alias move. The artifact is
        -- the last column, so that reading a version's metadata never walks the overflow pages of a large artifact;
        -- metrics and lineage are JSON objects.
        CREATE TABLE model_versions (
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            artifact_sha256 TEXT NOT NULL,
            artifact_size INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            description TEXT NOT NULL,
            metrics TEXT NOT NULL,
            lineage TEXT NOT NULL,
            schema_fingerprint TEXT NULL,
            artifact BLOB NOT NULL,
            PRIMARY KEY (model, version)
        );
        CREATE TABLE model_aliases (
            model TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (model, alias)
        ) WITHOUT ROWID;
        CREATE TABLE alias_moves (
            model TEXT NOT NULL,
            alias TEXT NOT NULL,
            seq INTEGER NOT NULL,
            from_version INTEGER NULL,
            to_version INTEGER NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            is_rollback INTEGER NOT NULL,
            PRIMARY KEY (model, alias, seq)
        ) WITHOUT ROWID;

        -- The loops' own state: one snapshot per loop, saved optimistically by revision.
        CREATE TABLE loop_state (
            loop TEXT NOT NULL PRIMARY KEY,
            revision INTEGER NOT NULL,
            state BLOB NOT NULL
        );
        """,
    ];

    /// <summary>The schema version this library writes.</summary>
    internal static int LatestVersion => Migrations.Count;

    /// <summary>
    /// Brings the file's schema to <see cref="LatestVersion"/>: applies the missing migrations, each in one immediate
    /// transaction (a second process migrating at the same time waits, then finds nothing to do).
    /// </summary>
    /// <exception cref="SqliteStoreException">The file belongs to another application, or its schema is newer than this library knows (nothing is written).</exception>
    internal static void Migrate(SqliteConnection connection, string source, IReadOnlyList<string>? migrations = null)
    {
        migrations ??= Migrations;
        while (true)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var (application, version) = (Pragma(connection, transaction, "application_id"), Pragma(connection, transaction, "user_version"));
            if (application != 0 && application != ApplicationId)
            {
                throw new SqliteStoreException($"'{source}' is a SQLite database of another application (application_id {application}); FeedbackLoop writes nothing to it.");
            }

            if (version > migrations.Count)
            {
                throw new SqliteStoreException(
                    $"'{source}' has schema version {version}, written by a newer FeedbackLoop.Sdk.Sqlite; this version knows up to {migrations.Count} and writes nothing to it. Upgrade the package.");
            }

            if (version == migrations.Count)
            {
                return;
            }

            SqliteCommands.Execute(connection, transaction, migrations[(int)version]);
            SqliteCommands.Execute(connection, transaction, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {version + 1};");
            transaction.Commit();
        }
    }

    private static long Pragma(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        return (long)SqliteCommands.Scalar(connection, transaction, $"PRAGMA {name};")!;
    }
}
