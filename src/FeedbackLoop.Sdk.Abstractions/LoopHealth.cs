namespace FeedbackLoop;

/// <summary>Whether the loop is storing what it records.</summary>
public enum LoopHealthStatus
{
    /// <summary>The store accepted the latest write.</summary>
    Healthy,

    /// <summary>
    /// The store refused the latest write (locked database, full disk, unreachable server), or the loop could not
    /// restore its saved state at start (an unreadable or corrupt snapshot): the loop retries with backoff, and recorded
    /// events wait in the queue until it succeeds (a full queue then applies its backpressure).
    /// </summary>
    Degraded,
}

/// <summary>The loop's health, for a host's health check: read at any time, without I/O.</summary>
/// <param name="Status">Degraded while writes to the store (or the start) fail; healthy again after the first one that succeeds.</param>
/// <param name="ConsecutiveStoreFailures">Failed attempts of the write (or start) the loop is retrying (0 when healthy).</param>
/// <param name="FailingSince">When the current run of failed writes began; <see langword="null"/> when healthy.</param>
/// <param name="LastStoreFailure">The latest failure's exception type and message; <see langword="null"/> when healthy.</param>
/// <param name="EventsQueued">Events recorded and not yet applied.</param>
public sealed record LoopHealth(LoopHealthStatus Status, int ConsecutiveStoreFailures, DateTimeOffset? FailingSince, string? LastStoreFailure, long EventsQueued);
