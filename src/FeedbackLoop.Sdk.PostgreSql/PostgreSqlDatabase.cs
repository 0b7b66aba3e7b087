using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace FeedbackLoop.PostgreSql;

/// <summary>
/// One FeedbackLoop schema in a PostgreSQL database: opens connections from an <see cref="NpgsqlDataSource"/> and, on
/// first use, creates and migrates the schema; turns a failure to connect, a missing privilege or a newer schema into a
/// <see cref="PostgreSqlStoreException"/> that names the server, database and schema, never the password.
/// </summary>
/// <remarks>Thread-safe; the registry, the loop-state store and the event store of a loop share one instance.</remarks>
internal sealed partial class PostgreSqlDatabase
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Lock _initializing = new();
    private Task? _initialization;

    /// <summary>Initializes a new instance; nothing is opened until the first connection.</summary>
    /// <param name="dataSource">Where connections come from (the caller keeps ownership).</param>
    /// <param name="schema">The schema the library's tables live in: lower-case letters, digits and underscores, starting with a letter or an underscore.</param>
    /// <exception cref="ArgumentException">The schema name is not such an identifier.</exception>
    public PostgreSqlDatabase(NpgsqlDataSource dataSource, string schema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        CheckSchemaName(schema);
        _dataSource = dataSource;
        Schema = schema;
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Source = $"PostgreSQL at {builder.Host}:{builder.Port}, database '{builder.Database}', schema '{schema}'";
    }

    /// <summary>Refuses a schema name that is not a plain lower-case identifier (it is written into SQL).</summary>
    /// <param name="schema">The name.</param>
    /// <exception cref="ArgumentException">The name is empty or not such an identifier.</exception>
    public static void CheckSchemaName(string schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        if (!SchemaName().IsMatch(schema))
        {
            throw new ArgumentException(
                $"'{schema}' is not a schema name the library uses: lower-case letters, digits and underscores, starting with a letter or an underscore, at most 63 characters.",
                nameof(schema));
        }
    }

    /// <summary>Gets the schema name (a safe identifier, so it may be written into SQL).</summary>
    public string Schema { get; }

    /// <summary>Gets where the data lives, for messages: server, database and schema, no credentials.</summary>
    public string Source { get; }

    /// <summary>Opens a connection, creating and migrating the schema on the first call.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open connection; the caller disposes it.</returns>
    /// <exception cref="PostgreSqlStoreException">The server cannot be used (see <see cref="PostgreSqlStoreException"/>).</exception>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        Task initialization;
        lock (_initializing)
        {
            // One migration for all callers; one that failed (the server down, a privilege missing) is tried again by the next.
            initialization = _initialization is { IsFaulted: false, IsCanceled: false } running ? running : _initialization = InitializeAsync();
        }

        await initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a database call, turning a server or connection failure into a <see cref="PostgreSqlStoreException"/> that names the database.</summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw Explain(exception);
        }
    }

    /// <inheritdoc cref="GuardAsync{T}(Func{Task{T}})"/>
    public async Task GuardAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw Explain(exception);
        }
    }

    /// <summary>Names what failed: the server, database and schema, the privilege a refused statement needed, or why the connection failed.</summary>
    public PostgreSqlStoreException Explain(NpgsqlException exception) => exception switch
    {
        // 42501 insufficient_privilege: the server's message names the object ("permission denied for schema x").
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } denied => new PostgreSqlStoreException(
            $"{Source}: the role lacks a privilege the library needs: {denied.MessageText}. It needs CREATE on the database (to create schema '{Schema}') or USAGE and CREATE on the schema, and SELECT, INSERT, UPDATE and DELETE on its tables.",
            exception),
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } login => new PostgreSqlStoreException(
            $"{Source}: the server refused the login: {login.MessageText}.", exception),
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } missing => new PostgreSqlStoreException(
            $"{Source}: {missing.MessageText}.", exception),
        PostgresException server => new PostgreSqlStoreException($"{Source}: {server.MessageText} (SQLSTATE {server.SqlState}).", exception),
        { InnerException: SocketException or TimeoutException } => new PostgreSqlStoreException(
            $"Cannot connect to {Source}: {exception.InnerException.Message}.", exception),
        _ => new PostgreSqlStoreException($"{Source}: {exception.Message}", exception),
    };

    private async Task InitializeAsync()
    {
        await using var connection = await ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        await GuardAsync(() => PostgreSqlSchema.MigrateAsync(connection, this, PostgreSqlSchema.Migrations, CancellationToken.None)).ConfigureAwait(false);
    }

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken) =>
        await GuardAsync(async () => await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
