using Npgsql;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>The PostgreSQL server the tests run against, named by the FEEDBACKLOOP_POSTGRES environment variable.</summary>
internal static class PostgreSqlServer
{
    /// <summary>The environment variable that holds the server's Npgsql connection string.</summary>
    public const string Variable = "FEEDBACKLOOP_POSTGRES";

    /// <summary>Gets the connection string, or throws a message that says how to provide one.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                $"{Variable} is not set: the PostgreSQL tests need a server (.ci/run starts one and sets it). Locally, set it to an Npgsql connection string, or leave it unset to skip these tests.");
}

/// <summary>A schema of its own on the test server for one test, with a data source; dropped (with everything in it) on release.</summary>
internal sealed class TemporarySchema : IAsyncDisposable, IDisposable
{
    public TemporarySchema()
    {
        Name = "t_" + Guid.NewGuid().ToString("N");
        DataSource = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
    }

    /// <summary>Gets the schema's name.</summary>
    public string Name { get; }

    /// <summary>Gets a data source on the test database.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Runs a statement on the test database, outside the library (to read or corrupt what it stored).</summary>
    public async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql.Replace("{schema}", Name, StringComparison.Ordinal));
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    /// <summary>Drops the schema; for test classes, which xunit 2 disposes synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ScalarAsync("DROP SCHEMA IF EXISTS {schema} CASCADE;");
        }
        finally
        {
            await DataSource.DisposeAsync();
        }
    }
}
