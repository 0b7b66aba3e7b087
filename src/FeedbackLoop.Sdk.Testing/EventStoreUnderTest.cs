using FeedbackLoop.Storage;

namespace FeedbackLoop.Testing;

/// <summary>
/// The store a conformance test runs against: its <see cref="IEventStore"/> and <see cref="ILabelledWindowSource"/>
/// faces (one object or two over the same data), and what to release when the test ends.
/// </summary>
/// <remarks>The suite disposes it at the end of every test, passed or failed. Not thread-safe.</remarks>
public sealed class EventStoreUnderTest : IAsyncDisposable
{
    private readonly OnceRelease _release;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">Where the suite appends events.</param>
    /// <param name="window">Where the suite reads labelled windows; it must see what <paramref name="store"/> appended.</param>
    /// <param name="release">Called once when the test ends (close connections, drop a database); optional.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="window"/> is <see langword="null"/>.</exception>
    public EventStoreUnderTest(IEventStore store, ILabelledWindowSource window, Func<ValueTask>? release = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(window);
        Store = store;
        Window = window;
        _release = new OnceRelease(release);
    }

    /// <summary>Gets where the suite appends events.</summary>
    public IEventStore Store { get; }

    /// <summary>Gets where the suite reads labelled windows.</summary>
    public ILabelledWindowSource Window { get; }

    /// <summary>Wraps a store that is its own labelled-window source, disposing it at the end of the test when it is disposable.</summary>
    /// <typeparam name="TStore">The store's type.</typeparam>
    /// <param name="store">The store.</param>
    /// <returns>The store under test.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    public static EventStoreUnderTest For<TStore>(TStore store)
        where TStore : IEventStore, ILabelledWindowSource
    {
        ArgumentNullException.ThrowIfNull(store);
        return new EventStoreUnderTest(store, store, OnceRelease.DisposeOf(store));
    }

    /// <summary>Releases what the test used, once.</summary>
    /// <returns>A task that completes when it is released.</returns>
    public ValueTask DisposeAsync() => _release.RunAsync();
}
