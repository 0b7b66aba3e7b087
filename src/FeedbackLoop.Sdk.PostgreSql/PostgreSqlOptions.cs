namespace FeedbackLoop.PostgreSql;

/// <summary>How a loop keeps its state in PostgreSQL and shares it with its other instances (<see cref="PostgreSqlFeedbackLoopBuilderExtensions"/>).</summary>
public sealed class PostgreSqlOptions
{
    /// <summary>Gets the schema the library's tables live in (created and migrated on first use).</summary>
    /// <value>Default <c>feedbackloop</c>.</value>
    public string Schema { get; private set; } = "feedbackloop";

    /// <summary>Gets how long predictions and their feedback are kept, counted from the prediction's time; <see langword="null"/> keeps them (model versions are always kept).</summary>
    public TimeSpan? Retention { get; private set; }

    /// <summary>
    /// Gets whether an instance whose cycle finds another instance leading waits for the lead and then runs its cycle,
    /// instead of reporting <see cref="CycleOutcome.NotLeader"/> at once.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool WaitsForLead { get; private set; }

    /// <summary>Keeps the library's tables in <paramref name="schema"/>.</summary>
    /// <param name="schema">Lower-case letters, digits and underscores, starting with a letter or an underscore; at most 63 characters.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">The name is not such an identifier.</exception>
    public PostgreSqlOptions InSchema(string schema)
    {
        PostgreSqlDatabase.CheckSchemaName(schema);
        Schema = schema;
        return this;
    }

    /// <summary>Keeps predictions and their feedback for <paramref name="age"/>: each cycle deletes older ones.</summary>
    /// <param name="age">How long, counted from the prediction's time; positive.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="age"/> is not positive.</exception>
    public PostgreSqlOptions RetainFor(TimeSpan age)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(age, TimeSpan.Zero);
        Retention = age;
        return this;
    }

    /// <summary>Makes a cycle that finds another instance leading wait for the lead, rather than report <see cref="CycleOutcome.NotLeader"/>.</summary>
    /// <returns>These options.</returns>
    public PostgreSqlOptions WaitForLead()
    {
        WaitsForLead = true;
        return this;
    }
}
