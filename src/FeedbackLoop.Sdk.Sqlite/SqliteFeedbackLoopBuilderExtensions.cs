namespace FeedbackLoop.Sqlite;

/// <summary>Makes a loop durable on a SQLite file: <c>loop.UseSqlite("Data Source=feedbackloop.db")</c>.</summary>
public static class SqliteFeedbackLoopBuilderExtensions
{
    /// <summary>
    /// Keeps the loop's events, its model registry and its own state in one SQLite file (created and migrated on first
    /// use; WAL journal, full synchronous commits), so that a loop built again on the file resumes where the last one
    /// stopped: same champion, labels still joining predictions made before the restart, duplicates still recognised,
    /// detectors continuing from their state. Several loops may share one file.
    /// </summary>
    /// <param name="builder">The loop's builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file, for example <c>Data Source=feedbackloop.db</c>.</param>
    /// <param name="configure">Sets retention and the lock timeout; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is not valid, names no file, or names an in-memory database.</exception>
    public static FeedbackLoopBuilder UseSqlite(this FeedbackLoopBuilder builder, string connectionString, Action<SqliteOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SqliteOptions();
        configure?.Invoke(options);
        var database = new SqliteDatabase(connectionString, options.BusyTimeout);
        return builder
            .UseStore(loop => loop.Own(new SqliteEventStore(database, loop.LoopName, loop.Schema, loop.Options.Store, options.Retention)))
            .UseRegistry(loop => new SqliteModelRegistry(database, loop.Time))
            .UseStateStore(_ => new SqliteLoopStateStore(database));
    }
}
