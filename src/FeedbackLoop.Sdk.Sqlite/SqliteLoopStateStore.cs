using FeedbackLoop.State;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Sqlite;

/// <summary>
/// A durable <see cref="ILoopStateStore"/> in a SQLite file: one snapshot per loop (<see cref="StateSnapshot.ToBytes"/>)
/// with its revision, saved optimistically, so that a restarted host resumes where it was.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe, and safe across processes: each call opens its own pooled connection, and a save compares the revision
/// and writes in one immediate transaction, so of two instances saving over the same revision exactly one wins and the
/// other gets <see cref="LoopStateConflictException"/>.
/// </para>
/// <para>
/// Calls run synchronously on the caller's thread, as Microsoft.Data.Sqlite does. Every method throws
/// <see cref="SqliteStoreException"/>, naming the file, when the file cannot be opened, read or written (or stays locked
/// past the busy timeout); nothing is then written. A saved state whose bytes no longer pass the snapshot's integrity
/// check is refused on load with <see cref="InvalidDataException"/>.
/// </para>
/// </remarks>
public sealed class SqliteLoopStateStore : ILoopStateStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a store on a SQLite file, creating the file and its schema on first use.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file (<c>Data Source=feedbackloop.db</c>).</param>
    /// <exception cref="ArgumentException">The connection string is empty or not valid, names no file, or names an in-memory database (which is not durable).</exception>
    /// <remarks>Nothing is opened until the first call; a save waits up to 5 seconds for a lock another connection or process holds.</remarks>
    public SqliteLoopStateStore(string connectionString)
        : this(new SqliteDatabase(connectionString, SqliteOptions.DefaultBusyTimeout))
    {
    }

    /// <summary>Initializes a store on a database the loop's other SQLite stores share.</summary>
    /// <param name="database">The file.</param>
    internal SqliteLoopStateStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask<SavedLoopState?> LoadAsync(string loopName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loopName);
        cancellationToken.ThrowIfCancellationRequested();
        var saved = _database.Guard(() =>
        {
            using var connection = _database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT revision, state FROM loop_state WHERE loop = $loop;";
            command.Parameters.AddWithValue("$loop", loopName);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (Revision: reader.GetInt64(0), State: reader.GetFieldValue<byte[]>(1)) : default;
        });

        if (saved.State is null)
        {
            return ValueTask.FromResult<SavedLoopState?>(null);
        }

        StateSnapshot state;
        try
        {
            state = StateSnapshot.FromBytes(saved.State);
        }
        catch (FormatException exception)
        {
            throw new InvalidDataException(
                $"'{_database.Source}': the saved state of loop '{loopName}' (revision {saved.Revision}) is unreadable: {exception.Message}",
                exception);
        }

        return ValueTask.FromResult<SavedLoopState?>(new SavedLoopState(state, saved.Revision));
    }

    /// <inheritdoc />
    public ValueTask<long> SaveAsync(string loopName, StateSnapshot state, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loopName);
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = state.ToBytes();
        return ValueTask.FromResult(_database.Guard(() =>
        {
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT revision FROM loop_state WHERE loop = $loop;";
            command.Parameters.AddWithValue("$loop", loopName);
            var current = command.ExecuteScalar() is long revision ? revision : 0L;
            if (current != expectedRevision)
            {
                throw new LoopStateConflictException(
                    $"Loop '{loopName}' saved its state over revision {expectedRevision}, but the current revision is {current}: another instance saved in between.");
            }

            command.CommandText = current == 0
                ? "INSERT INTO loop_state (loop, revision, state) VALUES ($loop, $revision, $state);"
                : "UPDATE loop_state SET revision = $revision, state = $state WHERE loop = $loop;";
            command.Parameters.AddWithValue("$revision", current + 1);
            command.Parameters.AddWithValue("$state", bytes);
            command.ExecuteNonQuery();
            transaction.Commit();
            return current + 1;
        }));
    }
}
