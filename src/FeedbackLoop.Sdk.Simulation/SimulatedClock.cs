namespace FeedbackLoop.Simulation;

/// <summary>A <see cref="TimeProvider"/> whose time moves only when <see cref="Advance"/> is called: simulated time for replays and tests.</summary>
/// <remarks>Thread-safe for reads; call <see cref="Advance"/> from one thread at a time. Timers are not simulated.</remarks>
public sealed class SimulatedClock : TimeProvider
{
    private long _ticks;

    /// <summary>Initializes a clock at <paramref name="start"/>.</summary>
    /// <param name="start">The initial time; 2026-01-01T00:00:00Z when omitted.</param>
    public SimulatedClock(DateTimeOffset? start = null) =>
        Start = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the initial time.</summary>
    public DateTimeOffset Start { get; }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Start.AddTicks(Interlocked.Read(ref _ticks));

    /// <inheritdoc />
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    /// <summary>Moves time forward.</summary>
    /// <param name="by">A non-negative span.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is negative.</exception>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }
}
