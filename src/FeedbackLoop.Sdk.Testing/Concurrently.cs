namespace FeedbackLoop.Testing;

/// <summary>
/// Starts calls at once, each on a thread of its own released by one gate, so that they overlap even when the
/// implementation under test completes synchronously (as embedded database drivers often do) and the thread pool is
/// small: on a two-core machine, calls queued with <see cref="Task.Run(Action)"/> to a synchronous implementation run
/// one after the other and a missing lock goes unnoticed.
/// </summary>
internal static class Concurrently
{
    /// <summary>Runs <paramref name="call"/> for 0 to <paramref name="count"/> - 1 at once and waits for every call.</summary>
    public static async Task<T[]> RunAsync<T>(int count, Func<int, Task<T>> call, CancellationToken cancellationToken)
    {
        using var gate = new ManualResetEventSlim();
        var calls = new Task<T>[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            calls[i] = Task.Factory.StartNew(
                () =>
                {
                    gate.Wait(cancellationToken);
                    return call(index);
                },
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap();
        }

        gate.Set();
        return await Task.WhenAll(calls);
    }
}
