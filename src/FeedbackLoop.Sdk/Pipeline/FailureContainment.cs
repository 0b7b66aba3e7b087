using FeedbackLoop.Telemetry;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop.Pipeline;

/// <summary>
/// The one place where the loop contains a plug-in's failure (a sink, a detector, a store append, a cycle stage): it
/// logs the exception, counts it in <c>feedbackloop.failures</c> by component, and keeps the count for the next cycle
/// report. Nothing a plug-in throws reaches a request thread.
/// </summary>
/// <remarks>Thread-safe. The invoke helpers take their state as an argument so that a static lambda allocates nothing.</remarks>
internal sealed class FailureContainment(LoopInstruments instruments, ILogger logger)
{
    private long _failures;

    /// <summary>Gets and resets the number of contained failures since the last call.</summary>
    public long TakeFailures() => Interlocked.Exchange(ref _failures, 0);

    /// <summary>Runs <paramref name="action"/>; a failure is contained.</summary>
    /// <returns><see langword="true"/> when the action completed.</returns>
    public bool TryInvoke<TState>(string component, string name, TState state, Action<TState> action)
    {
        try
        {
            action(state);
            return true;
        }
#pragma warning disable CA1031 // A plug-in may throw anything; the loop must keep going.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Contain(component, name, exception);
            return false;
        }
    }

    /// <summary>Runs <paramref name="action"/>; a failure is contained (a cancellation of <paramref name="cancellationToken"/> is not a failure and propagates).</summary>
    /// <returns><see langword="true"/> when the action completed.</returns>
    public async ValueTask<bool> TryInvokeAsync<TState>(
        string component, string name, TState state, Func<TState, CancellationToken, ValueTask> action, CancellationToken cancellationToken)
    {
        try
        {
            await action(state, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (!IsCancellation(exception, cancellationToken))
        {
            Contain(component, name, exception);
            return false;
        }
    }

    /// <summary>Records a contained failure: logs it, counts it.</summary>
    public void Contain(string component, string name, Exception exception)
    {
        Interlocked.Increment(ref _failures);
        instruments.Failed(component);
        Log.PluginFailed(logger, exception, component, name);
    }

    /// <summary>Whether <paramref name="exception"/> is the cancellation the caller asked for, rather than a failure.</summary>
    public static bool IsCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
