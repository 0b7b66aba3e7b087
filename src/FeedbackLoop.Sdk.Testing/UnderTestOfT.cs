namespace FeedbackLoop.Testing;

/// <summary>
/// The implementation a conformance suite runs a test against (a registry, a loop-state store), and what to release
/// when the test ends.
/// </summary>
/// <typeparam name="T">The contract under test.</typeparam>
/// <remarks>The suite disposes it at the end of every test, passed or failed. Not thread-safe.</remarks>
public sealed class UnderTest<T> : IAsyncDisposable
    where T : class
{
    private readonly OnceRelease _release;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="subject">The implementation the suite checks.</param>
    /// <param name="release">Called once when the test ends (close connections, delete a folder or a database); optional.</param>
    /// <exception cref="ArgumentNullException"><paramref name="subject"/> is <see langword="null"/>.</exception>
    public UnderTest(T subject, Func<ValueTask>? release = null)
    {
        Subject = subject ?? throw new ArgumentNullException(nameof(subject));
        _release = new OnceRelease(release);
    }

    /// <summary>Gets the implementation the suite checks.</summary>
    public T Subject { get; }

    /// <summary>Releases what the test used, once.</summary>
    /// <returns>A task that completes when it is released.</returns>
    public ValueTask DisposeAsync() => _release.RunAsync();
}
