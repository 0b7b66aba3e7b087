namespace FeedbackLoop.Sqlite;

/// <summary>How a loop keeps its state in a SQLite file (<see cref="SqliteFeedbackLoopBuilderExtensions.UseSqlite"/>).</summary>
public sealed class SqliteOptions
{
    internal static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Gets how long predictions and their feedback are kept, counted from the prediction's time; <see langword="null"/> keeps them (model versions are always kept).</summary>
    public TimeSpan? Retention { get; private set; }

    /// <summary>Gets how long a write waits for a lock another connection or process holds before it fails (and is retried by the loop).</summary>
    /// <value>Default 5 seconds.</value>
    public TimeSpan BusyTimeout { get; private set; } = DefaultBusyTimeout;

    /// <summary>Keeps predictions and their feedback for <paramref name="age"/>: each cycle deletes older ones.</summary>
    /// <param name="age">How long, counted from the prediction's time; positive.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="age"/> is not positive.</exception>
    public SqliteOptions RetainFor(TimeSpan age)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(age, TimeSpan.Zero);
        Retention = age;
        return this;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a lock another connection or process holds.</summary>
    /// <param name="timeout">Zero or more.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    public SqliteOptions WaitForLocks(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        BusyTimeout = timeout;
        return this;
    }
}
