namespace FeedbackLoop.PostgreSql;

/// <summary>
/// Thrown when a FeedbackLoop PostgreSQL schema cannot be used: the server cannot be reached or refuses the login, the
/// role lacks a privilege the library needs, or the schema was created by a newer library version. The message names
/// the server, the database and the schema (never the password); nothing has been written.
/// </summary>
public sealed class PostgreSqlStoreException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public PostgreSqlStoreException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong, naming the server, database and schema.</param>
    public PostgreSqlStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What is wrong, naming the server, database and schema.</param>
    /// <param name="innerException">The Npgsql or server error.</param>
    public PostgreSqlStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
