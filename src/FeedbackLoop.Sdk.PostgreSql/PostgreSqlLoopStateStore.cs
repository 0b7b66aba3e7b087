using FeedbackLoop.State;
using Npgsql;

namespace FeedbackLoop.PostgreSql;

/// <summary>
/// A shared <see cref="ILoopStateStore"/> on PostgreSQL: one snapshot per loop (<see cref="StateSnapshot.ToBytes"/>) with
/// its revision, saved optimistically, so that a restarted instance resumes where the loop was and of two instances
/// saving over the same revision exactly one wins.
/// </summary>
/// <remarks>
/// Thread-safe and safe across processes: a save is one conditional statement (insert for revision 0, update of the
/// expected revision otherwise), so the server decides which of two concurrent saves wins; the other gets
/// <see cref="LoopStateConflictException"/>. Every method throws <see cref="PostgreSqlStoreException"/>, naming the
/// server, database and schema, when the server cannot be used; a saved state whose bytes no longer pass the snapshot's
/// integrity check is refused on load with <see cref="InvalidDataException"/>.
/// </remarks>
public sealed class PostgreSqlLoopStateStore : ILoopStateStore
{
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a store in a schema of a PostgreSQL database, creating and migrating the schema on first use.</summary>
    /// <param name="dataSource">Where connections come from; the caller keeps ownership.</param>
    /// <param name="schema">The schema the library's tables live in: lower-case letters, digits and underscores, starting with a letter or an underscore.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The schema name is empty or not such an identifier.</exception>
    public PostgreSqlLoopStateStore(NpgsqlDataSource dataSource, string schema = "feedbackloop")
        : this(new PostgreSqlDatabase(dataSource, schema))
    {
    }

    /// <summary>Initializes a store on a database the loop's other PostgreSQL stores share.</summary>
    /// <param name="database">The schema.</param>
    internal PostgreSqlLoopStateStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<SavedLoopState?> LoadAsync(string loopName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loopName);
        cancellationToken.ThrowIfCancellationRequested();
        var (revision, bytes) = await _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"SELECT revision, state FROM {_database.Schema}.loop_state WHERE loop = @loop;", connection);
            command.Parameters.AddWithValue("loop", loopName);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : (0L, null);
        }).ConfigureAwait(false);

        if (bytes is null)
        {
            return null;
        }

        try
        {
            return new SavedLoopState(StateSnapshot.FromBytes(bytes), revision);
        }
        catch (FormatException exception)
        {
            throw new InvalidDataException(
                $"{_database.Source}: the saved state of loop '{loopName}' (revision {revision}) is unreadable: {exception.Message}", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> SaveAsync(string loopName, StateSnapshot state, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loopName);
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = state.ToBytes();
        var schema = _database.Schema;
        return await _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var save = new NpgsqlCommand(
                expectedRevision == 0
                    ? $"INSERT INTO {schema}.loop_state (loop, revision, state) VALUES (@loop, 1, @state) ON CONFLICT (loop) DO NOTHING;"
                    : $"UPDATE {schema}.loop_state SET revision = revision + 1, state = @state WHERE loop = @loop AND revision = @expected;",
                connection);
            save.Parameters.AddWithValue("loop", loopName);
            save.Parameters.AddWithValue("state", bytes);
            save.Parameters.AddWithValue("expected", expectedRevision);
            if (await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return expectedRevision + 1;
            }

            await using var read = new NpgsqlCommand($"SELECT revision FROM {schema}.loop_state WHERE loop = @loop;", connection);
            read.Parameters.AddWithValue("loop", loopName);
            var current = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long revision ? revision : 0L;
            throw new LoopStateConflictException(
                $"Loop '{loopName}' saved its state over revision {expectedRevision}, but the current revision is {current}: another instance saved in between.");
        }).ConfigureAwait(false);
    }
}
