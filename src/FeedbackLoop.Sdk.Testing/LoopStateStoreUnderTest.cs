using FeedbackLoop.State;

namespace FeedbackLoop.Testing;

/// <summary>The loop-state store a <see cref="LoopStateStoreConformanceTests"/> test runs against, and what to release when the test ends.</summary>
/// <remarks>The suite disposes it at the end of every test, passed or failed. Not thread-safe.</remarks>
public sealed class LoopStateStoreUnderTest : IAsyncDisposable
{
    private readonly OnceRelease _release;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The store the suite checks.</param>
    /// <param name="release">Called once when the test ends (close connections, delete a folder or a database); optional.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    public LoopStateStoreUnderTest(ILoopStateStore store, Func<ValueTask>? release = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _release = new OnceRelease(release);
    }

    /// <summary>Gets the store the suite checks.</summary>
    public ILoopStateStore Store { get; }

    /// <summary>Wraps a store, disposing it at the end of the test when it is disposable.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The store under test.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    public static LoopStateStoreUnderTest For(ILoopStateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new LoopStateStoreUnderTest(store, OnceRelease.DisposeOf(store));
    }

    /// <summary>Releases what the test used, once.</summary>
    /// <returns>A task that completes when it is released.</returns>
    public ValueTask DisposeAsync() => _release.RunAsync();
}
