using FeedbackLoop.Monitoring;
using FeedbackLoop.Storage;
using FeedbackLoop.Telemetry;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop.Pipeline;

/// <summary>
/// The loop's event pipeline: the request path enqueues validated, immutable events; one consumer drains them in
/// batches and applies each batch: the event store appends it and joins feedback, the monitors observe it, the sinks
/// receive it.
/// </summary>
/// <remarks>
/// A store append that fails is retried with exponential backoff (appending is idempotent by event id) until it
/// succeeds or the loop shuts down; meanwhile the queue fills and the record calls wait or throw by the queue's mode.
/// Sinks and detectors are contained by <see cref="FailureContainment"/>. Thread-safe.
/// </remarks>
internal sealed class EventPipeline : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromSeconds(5);

    private readonly string _loop;
    private readonly EventQueue _queue;
    private readonly int _maxBatch;
    private readonly TimeSpan _shutdownTimeout;
    private static readonly LoopHealth Healthy = new(LoopHealthStatus.Healthy, 0, null, null, 0);

    private readonly IEventStore _store;
    private readonly LoopMonitors? _monitors;
    private readonly IFeedbackSink[] _sinks;
    private readonly IBatchedFeedbackSink[] _batchedSinks;
    private readonly FailureContainment _failures;
    private readonly LoopInstruments _instruments;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, Task> _start;
    private readonly CancellationTokenSource _abandon = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _consumer;
    private long _storeFailures;
    private long _storeFailuresSinceCycle;
    private volatile LoopHealth _health = Healthy;
    private long _feedbackAccepted;
    private int _disposed;

    public EventPipeline(
        string loop,
        EventQueueOptions options,
        IEventStore store,
        LoopMonitors? monitors,
        IFeedbackSink[] sinks,
        IBatchedFeedbackSink[] batchedSinks,
        FailureContainment failures,
        LoopInstruments instruments,
        TimeProvider time,
        ILogger logger,
        Func<CancellationToken, Task> start)
    {
        _loop = loop;
        _queue = new EventQueue(options.Capacity, options.FullMode);
        _maxBatch = options.MaxBatchSize;
        _shutdownTimeout = options.ShutdownTimeout;
        _store = store;
        _monitors = monitors;
        _sinks = sinks;
        _batchedSinks = batchedSinks;
        _failures = failures;
        _instruments = instruments;
        _time = time;
        _logger = logger;
        _start = start;
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Gets the feedback events the store accepted (joined or orphaned) since the loop started.</summary>
    public long FeedbackAccepted => Interlocked.Read(ref _feedbackAccepted);

    public void Enqueue(Prediction prediction) => _queue.Enqueue(LoopEvent.For(prediction, default));

    public void Enqueue(Feedback feedback) => _queue.Enqueue(LoopEvent.For(feedback, default));

    public Task FlushAsync(CancellationToken cancellationToken) => _queue.FlushAsync(cancellationToken);

    /// <summary>Gets the store's health as the latest write left it, with the queue's current length.</summary>
    public LoopHealth Health => _health with { EventsQueued = _queue.Queued };

    /// <summary>Returns the failed store writes since the previous call (the previous cycle), and starts counting again.</summary>
    public long TakeStoreFailures() => Interlocked.Exchange(ref _storeFailuresSinceCycle, 0);

    public async Task<LoopStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => new(
        _queue.Recorded,
        _queue.Applied,
        _queue.Queued,
        Interlocked.Read(ref _storeFailures),
        await _store.GetStatisticsAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Stops accepting events and waits, up to the shutdown timeout, for the consumer to apply those accepted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Close();
        await _closing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _consumer.WaitAsync(_shutdownTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.EventsAbandoned(_logger, _loop, _queue.Queued, _shutdownTimeout);
            await _abandon.CancelAsync().ConfigureAwait(false);
            await _consumer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _abandon.Dispose();
        _closing.Dispose();
        _queue.Dispose();
    }

    private async Task ConsumeAsync()
    {
        var batch = new EventBatch(_maxBatch);
        var cancellationToken = _abandon.Token;
        try
        {
            // Events wait until the loop has restored its state, so they continue the restored monitors.
            await StartAsync(cancellationToken).ConfigureAwait(false);
            while (await _queue.WaitForEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                var consumed = _queue.Drain(batch, _maxBatch, _time.GetUtcNow());
                try
                {
                    if (batch.Count > 0)
                    {
                        using var applying = LoopCallbacks.Enter(this, LoopCallback.Consumer);
                        await ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception exception) when (!FailureContainment.IsCancellation(exception, cancellationToken))
                {
                    // Plug-ins are contained inside; anything else is a defect of the loop, which must not stop the consumer.
                    _failures.Contain("pipeline", _loop, exception);
                }

                batch.Clear();
                _queue.MarkApplied(consumed);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown gave up on the remaining events; DisposeAsync has logged how many.
        }
        finally
        {
            _queue.Stopped();
        }
    }

    /// <summary>
    /// Waits until the loop has started, retrying a failed start with backoff. When the loop shuts down before a start
    /// succeeds, the consumer stops waiting and applies what was accepted anyway: the events reach the store and the
    /// sinks, the monitors start afresh, and the loop does not save its state over the one it never loaded.
    /// </summary>
    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; !_closing.IsCancellationRequested; attempt++)
        {
            try
            {
                await _start(cancellationToken).ConfigureAwait(false);
                Recovered();
                return;
            }
            catch (Exception exception) when (!FailureContainment.IsCancellation(exception, cancellationToken))
            {
                _failures.Contain("start", _loop, exception);
                Failed(attempt, exception);
                try
                {
                    await Task.Delay(delay, _time, _closing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_closing.IsCancellationRequested)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetryDelay.Ticks));
            }
        }
    }

    private async ValueTask ApplyAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        await AppendAsync(batch, cancellationToken).ConfigureAwait(false);
        CountOutcomes(batch);
        _monitors?.Observe(batch);
        // Each event is offered to each sink on its own, so one event a sink cannot take does not cost it the rest.
        for (var i = 0; _sinks.Length > 0 && i < batch.Count; i++)
        {
            foreach (var sink in _sinks)
            {
                _failures.TryInvoke("sink", sink.GetType().Name, (sink, batch[i], batch.GetOutcome(i)), static state =>
                {
                    var (sink, item, outcome) = state;
                    if (item.Prediction is { } prediction)
                    {
                        sink.OnPrediction(prediction, outcome);
                    }
                    else
                    {
                        sink.OnFeedback(item.Feedback!, outcome);
                    }
                });
            }
        }

        foreach (var sink in _batchedSinks)
        {
            await _failures.TryInvokeAsync(
                "sink", sink.GetType().Name, (sink, batch), static (state, token) => state.sink.EmitBatchAsync(state.batch, token), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _store.AppendAsync(batch, cancellationToken).ConfigureAwait(false);
                Recovered();
                return;
            }
            catch (Exception exception) when (!FailureContainment.IsCancellation(exception, cancellationToken))
            {
                Interlocked.Increment(ref _storeFailures);
                Interlocked.Increment(ref _storeFailuresSinceCycle);
                Failed(attempt, exception);
                _instruments.Failed("store");
                Log.AppendFailed(_logger, exception, _loop, batch.Count, attempt, delay);
                batch.ResetOutcomes();
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetryDelay.Ticks));
            }
        }
    }

    /// <summary>A write to the store (or the start that restores the loop's state) failed and will be retried.</summary>
    private void Failed(int attempt, Exception exception) =>
        _health = new LoopHealth(LoopHealthStatus.Degraded, attempt, _health.FailingSince ?? _time.GetUtcNow(), $"{exception.GetType().Name}: {exception.Message}", 0);

    private void Recovered()
    {
        if (_health.Status != LoopHealthStatus.Healthy)
        {
            _health = Healthy;
        }
    }

    private void CountOutcomes(EventBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            var outcome = batch.GetOutcome(i);
            if (item.Prediction is { } prediction)
            {
                if (outcome == EventOutcome.Stored)
                {
                    _instruments.PredictionRecorded();
                }
                else if (outcome == EventOutcome.Duplicate)
                {
                    Log.DuplicatePrediction(_logger, _loop, prediction.Id);
                }
            }
            else
            {
                _instruments.FeedbackApplied(item.Feedback!.Kind, outcome);
                if (outcome is EventOutcome.Joined or EventOutcome.Orphaned)
                {
                    Interlocked.Increment(ref _feedbackAccepted);
                }
            }
        }
    }
}
