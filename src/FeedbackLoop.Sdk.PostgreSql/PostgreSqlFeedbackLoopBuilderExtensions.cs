using System.Runtime.CompilerServices;
using Npgsql;

namespace FeedbackLoop.PostgreSql;

/// <summary>Makes a loop durable and shared on PostgreSQL: <c>loop.UsePostgreSql("Host=...;Database=...")</c>.</summary>
public static class PostgreSqlFeedbackLoopBuilderExtensions
{
    /// <summary>
    /// Keeps the loop's events, model registry and own state in one PostgreSQL schema (created and migrated on first use)
    /// and runs the loop together with every other instance built on the same database and loop name: feedback received
    /// by any instance joins predictions made by any, each cycle is led by one instance and monitors every instance's
    /// events, and every instance serves the champion within about a second of its promotion.
    /// </summary>
    /// <param name="builder">The loop's builder.</param>
    /// <param name="connectionString">An Npgsql connection string; the loop owns the data source it creates and disposes it with the loop.</param>
    /// <param name="configure">Sets the schema, retention and whether a cycle waits for the lead; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is not valid.</exception>
    public static FeedbackLoopBuilder UsePostgreSql(this FeedbackLoopBuilder builder, string connectionString, Action<PostgreSqlOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString);
        return builder.UsePostgreSql(loop => loop.Own(NpgsqlDataSource.Create(connectionString)), configure);
    }

    /// <summary>
    /// Keeps the loop in PostgreSQL through a data source the host owns (for example one registered in its services;
    /// see <see cref="UsePostgreSql(FeedbackLoopBuilder, string, Action{PostgreSqlOptions}?)"/>).
    /// </summary>
    /// <param name="builder">The loop's builder.</param>
    /// <param name="dataSource">Creates the data source for a loop (<c>loop =&gt; loop.Services.GetRequiredService&lt;NpgsqlDataSource&gt;()</c>); the host keeps ownership.</param>
    /// <param name="configure">Sets the schema, retention and whether a cycle waits for the lead; optional.</param>
    /// <returns>The builder.</returns>
    public static FeedbackLoopBuilder UsePostgreSql(this FeedbackLoopBuilder builder, Func<LoopComponentContext, NpgsqlDataSource> dataSource, Action<PostgreSqlOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        var options = new PostgreSqlOptions();
        configure?.Invoke(options);

        // The four components of one loop share one database object (one migration) and one event store.
        var loops = new ConditionalWeakTable<LoopComponentContext, Shared>();
        Shared Of(LoopComponentContext loop) => loops.GetValue(loop, context =>
        {
            var database = new PostgreSqlDatabase(dataSource(context), options.Schema);
            return new Shared(database, new PostgreSqlEventStore(database, context.LoopName, context.Schema, context.Options.Store, options.Retention));
        });

        return builder
            .UseStore(loop => Of(loop).Store)
            .UseRegistry(loop => new PostgreSqlModelRegistry(Of(loop).Database, loop.Time))
            .UseStateStore(loop => new PostgreSqlLoopStateStore(Of(loop).Database))
            .UseCoordinator(loop => new PostgreSqlLoopCoordinator(Of(loop).Database, Of(loop).Store, loop.LoopName, options.WaitsForLead));
    }

    private sealed record Shared(PostgreSqlDatabase Database, PostgreSqlEventStore Store);
}
