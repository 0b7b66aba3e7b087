using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Sqlite;

/// <summary>
/// One FeedbackLoop SQLite file: opens connections to it with the loop's settings (WAL journal, full synchronous
/// commits, a busy timeout) and, on first use, checks that it is a FeedbackLoop database and migrates its schema.
/// </summary>
/// <remarks>
/// Thread-safe. Connections come from Microsoft.Data.Sqlite's pool; each caller opens its own and disposes it. The store,
/// the registry and the loop-state store of a loop share one instance.
/// </remarks>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly int _busyMilliseconds;
    private readonly Lock _initializing = new();
    private volatile bool _initialized;

    /// <summary>Initializes a new instance; nothing is opened until the first connection.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file (<c>Data Source=feedbackloop.db</c>).</param>
    /// <param name="busyTimeout">How long a write waits for a lock another connection or process holds.</param>
    /// <exception cref="ArgumentException">The connection string is not valid, names no file, or names an in-memory database (which is not durable).</exception>
    public SqliteDatabase(string connectionString, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"'{connectionString}' is not a SQLite connection string: {exception.Message}", nameof(connectionString), exception);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException("The connection string must name a database file (Data Source=feedbackloop.db): an in-memory database is not durable.", nameof(connectionString));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(busyTimeout, TimeSpan.Zero);
        Source = builder.DataSource;
        _busyMilliseconds = (int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds);
        builder.DefaultTimeout = (int)Math.Max(1, Math.Ceiling(busyTimeout.TotalSeconds));
        _connectionString = builder.ToString();
    }

    /// <summary>Gets the file, as the connection string names it.</summary>
    public string Source { get; }

    /// <summary>Opens a connection, checking and migrating the file on the first call.</summary>
    /// <returns>The open connection; the caller disposes it.</returns>
    /// <exception cref="SqliteStoreException">The file cannot be used (see <see cref="SqliteStoreException"/>).</exception>
    public SqliteConnection Open()
    {
        if (!_initialized)
        {
            // A first open that fails (the file locked, its directory not there yet) is tried again by the next caller.
            lock (_initializing)
            {
                if (!_initialized)
                {
                    Initialize();
                    _initialized = true;
                }
            }
        }

        return OpenConnection();
    }

    /// <summary>Runs a SQLite call, turning a failure to open, read or write the file into a <see cref="SqliteStoreException"/> that names it.</summary>
    public T Guard<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (SqliteException exception)
        {
            throw Explain(exception);
        }
    }

    /// <summary>Describes a SQLite error for the host: which file, and what to do.</summary>
    public SqliteStoreException Explain(SqliteException exception) => exception.SqliteErrorCode switch
    {
        26 => new SqliteStoreException($"'{Source}' is not a SQLite database (or is corrupt); FeedbackLoop writes nothing to it.", exception),
        11 => new SqliteStoreException($"'{Source}' is corrupt: {exception.Message}", exception),
        14 => new SqliteStoreException($"'{Source}' cannot be opened: its directory is missing or not accessible ({exception.Message}).", exception),
        8 => new SqliteStoreException($"'{Source}' is read-only: FeedbackLoop needs to write it ({exception.Message}).", exception),
        5 or 6 => new SqliteStoreException(
            string.Create(CultureInfo.InvariantCulture, $"'{Source}' stayed locked by another connection or process for longer than the busy timeout ({_busyMilliseconds} ms): {exception.Message}"),
            exception),
        _ => new SqliteStoreException($"'{Source}': {exception.Message}", exception),
    };

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Create(
                CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536;");
            command.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException exception)
        {
            connection.Dispose();
            throw Explain(exception);
        }
    }

    private void Initialize()
    {
        using var connection = OpenConnection();
        try
        {
            using (var command = connection.CreateCommand())
            {
                // Reading the schema is the first read of the file: it fails here if the file is not a database.
                command.CommandText = "SELECT count(*) FROM sqlite_master;";
                command.ExecuteScalar();
            }

            SqliteSchema.Migrate(connection, Source);
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode = WAL;";
                if (command.ExecuteScalar() is var mode and not "wal")
                {
                    // WAL is what lets windows be read while the consumer commits; a file system without shared memory refuses it.
                    throw new SqliteStoreException($"'{Source}' cannot use write-ahead logging (journal_mode stayed '{mode}'); keep the file on a local file system.");
                }
            }
        }
        catch (SqliteException exception)
        {
            throw Explain(exception);
        }
    }
}
