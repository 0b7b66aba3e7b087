namespace FeedbackLoop.Testing;

/// <summary>What an implementation under test releases when its test ends, run once: the one piece the *UnderTest types share.</summary>
internal sealed class OnceRelease(Func<ValueTask>? release)
{
    private bool _released;

    /// <summary>A release that disposes <paramref name="subject"/> when it is disposable.</summary>
    public static Func<ValueTask> DisposeOf(object subject) => () =>
    {
        switch (subject)
        {
            case IAsyncDisposable asyncDisposable:
                return asyncDisposable.DisposeAsync();
            case IDisposable disposable:
                disposable.Dispose();
                return ValueTask.CompletedTask;
            default:
                return ValueTask.CompletedTask;
        }
    };

    public ValueTask RunAsync()
    {
        if (_released || release is null)
        {
            return ValueTask.CompletedTask;
        }

        _released = true;
        return release();
    }
}
