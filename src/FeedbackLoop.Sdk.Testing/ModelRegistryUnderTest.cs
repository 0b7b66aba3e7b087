using FeedbackLoop.Registry;

namespace FeedbackLoop.Testing;

/// <summary>The registry a <see cref="ModelRegistryConformanceTests"/> test runs against, and what to release when the test ends.</summary>
/// <remarks>The suite disposes it at the end of every test, passed or failed. Not thread-safe.</remarks>
public sealed class ModelRegistryUnderTest : IAsyncDisposable
{
    private readonly OnceRelease _release;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="registry">The registry the suite checks.</param>
    /// <param name="release">Called once when the test ends (close connections, delete a folder or a database); optional.</param>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is <see langword="null"/>.</exception>
    public ModelRegistryUnderTest(IModelRegistry registry, Func<ValueTask>? release = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        _release = new OnceRelease(release);
    }

    /// <summary>Gets the registry the suite checks.</summary>
    public IModelRegistry Registry { get; }

    /// <summary>Wraps a registry, disposing it at the end of the test when it is disposable.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry under test.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is <see langword="null"/>.</exception>
    public static ModelRegistryUnderTest For(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new ModelRegistryUnderTest(registry, OnceRelease.DisposeOf(registry));
    }

    /// <summary>Releases what the test used, once.</summary>
    /// <returns>A task that completes when it is released.</returns>
    public ValueTask DisposeAsync() => _release.RunAsync();
}
