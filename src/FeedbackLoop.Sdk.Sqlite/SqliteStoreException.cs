namespace FeedbackLoop.Sqlite;

/// <summary>
/// Thrown when a FeedbackLoop SQLite file cannot be used: it is not a database, belongs to another application, has a
/// schema newer than this library, or cannot be opened or written (a missing or read-only directory, a lock held past
/// the busy timeout). The message names the file; nothing has been written.
/// </summary>
public sealed class SqliteStoreException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public SqliteStoreException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    public SqliteStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="innerException">The SQLite error.</param>
    public SqliteStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
