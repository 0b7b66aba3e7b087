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

    /// <summary>
    /// Corrupts one stored blob behind the stores' backs: reads it with <paramref name="select"/>, flips every bit of its
    /// last byte (so it cannot stay the same) and writes it back with <paramref name="update"/> (bound as <c>$value</c>).
    /// </summary>
    /// <returns>The corrupted bytes.</returns>
    public byte[] FlipLastByte(string select, string update)
    {
        using var connection = OpenRaw();
        using var read = connection.CreateCommand();
        read.CommandText = select;
        var bytes = (byte[])read.ExecuteScalar()!;
        bytes[^1] ^= 0xFF;
        using var write = connection.CreateCommand();
        write.CommandText = update;
        write.Parameters.AddWithValue("$value", bytes);
        if (write.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"'{update}' changed no row.");
        }

        return bytes;
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
