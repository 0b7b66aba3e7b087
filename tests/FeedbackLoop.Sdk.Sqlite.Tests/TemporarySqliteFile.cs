using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>A database file of its own in a new temporary folder, deleted (with the folder) on release.</summary>
internal sealed class TemporarySqliteFile : IDisposable, IAsyncDisposable
{
    private readonly string _folder;

    public TemporarySqliteFile()
    {
        _folder = Path.Combine(Path.GetTempPath(), "feedbackloop-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        FilePath = Path.Combine(_folder, "feedbackloop.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath }.ToString();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    /// <summary>Opens a raw connection to the file, to read or corrupt it behind the stores' backs.</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        // Pooled connections keep the file (and its -wal and -shm files) open until the pool lets them go.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a folder left in the temp directory fails no test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
