using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FeedbackLoop.Models;
using FeedbackLoop.Monitoring;
using FeedbackLoop.Notifications;
using FeedbackLoop.Pipeline;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Rollout;
using FeedbackLoop.State;
using FeedbackLoop.Storage;
using FeedbackLoop.Telemetry;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop;

/// <summary>The <see cref="IFeedbackLoop"/> built by <see cref="FeedbackLoopBuilder"/>.</summary>
internal sealed partial class FeedbackLoopEngine : IFeedbackLoop
{
    private const int LoadedChampions = 8;

    private readonly FeedbackLoopOptions _options;
    private readonly TimeProvider _time;
    private readonly IEventStore _store;
    private readonly ILabelledWindowSource _window;
    private readonly IModelRegistry _registry;
    private readonly IModelTrainer _trainer;
    private readonly IModelArtifactLoader? _loader;
    private readonly IRetrainPolicy _policy;
    private readonly IPromotionGate _gate;
    private readonly IModelRouter _router;
    private readonly LoopMonitors _monitors;
    private readonly FailureContainment _failures;
    private readonly EventPipeline _pipeline;
    private readonly LoopInstruments _instruments;
    private readonly ILogger _logger;
    private readonly ILoopObserver[] _observers;
    private readonly IReadOnlyList<object> _owned;
    private readonly ILoopStateStore _stateStore;
    private readonly SemaphoreSlim _cycleLock = new(1, 1);

    // Alias moves and hot-swaps take this lock, not the cycle's: a rollback never waits behind a training.
    private readonly SemaphoreSlim _swapLock = new(1, 1);
    private readonly ICycleStage[] _stages;
    private readonly IReadOnlyList<ICycleStage> _hostStages;
    private readonly ConcurrentDictionary<int, IPredictor> _predictors = new();

    // Alias moves' notifications, queued in the order of the moves and published by one thread at a time.
    private readonly Queue<LoopNotification> _moves = new();
    private readonly Lock _movesSync = new();
    private bool _publishingMoves;

    private ServingSet _serving = ServingSet.Empty;
    private long _cycles;
    private TaskCompletionSource _cycleDue = NewCycleDue();
    private DateTimeOffset? _lastTrainedAt;

    // The latest drift signal a judged candidate has consumed: a scheduled retrain's window does not reach back before it.
    private DateTimeOffset? _latestDriftAt;

    // Whether the window the current cycle read since a drift still holds labels of the first window after it (fewer than
    // two windows had joined): set by the window stage, read when the cycle commits (cycles run one at a time).
    private bool _windowInTransition;

    private int _disposed;

    internal FeedbackLoopEngine(in FeedbackLoopComponents components)
    {
        Name = components.Name;
        Schema = components.Schema;
        Task = components.Task;
        _options = components.Options;
        _time = components.Time;
        _store = components.Store;
        _window = components.Window;
        _registry = components.Registry;
        _stateStore = components.StateStore;
        _coordinator = components.Coordinator;
        _trainer = components.Trainer;
        _loader = components.Loader;
        _policy = components.Policy;
        _gate = components.Gate;
        _router = components.Router;
        _logger = components.Logger;
        _instruments = new LoopInstruments(Name, components.MeterFactory);
        _failures = new FailureContainment(_instruments, _logger);

        // Before the pipeline starts its consumer, which restores the saved state (this included) on another thread.
        _startedAt = _time.GetUtcNow();
        _observers = [_instruments, .. components.Observers];
        _owned = components.Owned;
        _monitors = new LoopMonitors(
            Task,
            components.FeatureMonitors,
            components.ErrorMonitor,
            _options.RollingWindowSize,
            _options.TrainSinceDrift ? _options.MinimumTrainingExamples : 0,
            signal => Publish(new DriftSignalled(Name, _time.GetUtcNow(), signal)),
            () => Volatile.Read(ref _cycleDue).TrySetResult(),
            _failures,
            _logger);
        _pipeline = new EventPipeline(
            Name, _options.Events, _store, _coordinator is null ? _monitors : null, components.Sinks, components.BatchedSinks, _failures, _instruments, _time, _logger, StartAsync);
        _hostStages = components.CycleStages;
        _stages = CreateStages(new Stage("decide", DecideAsync), new Stage("window", ReadWindowAsync), new Stage("train", TrainAsync));
    }

    public string Name { get; }

    public FeatureSchema Schema { get; }

    public ModelTask Task { get; }

    public ModelVersion? Champion => Volatile.Read(ref _serving).Champion?.Version;

    public Prediction Predict(FeatureVector features, IReadOnlyDictionary<string, string>? segments = null, PredictionId? id = null)
    {
        ValidateFeatures(features);
        var predictionId = id ?? PredictionId.New();
        var serving = Volatile.Read(ref _serving);
        if (serving.Champion is null && !IsStarted)
        {
            // The first Predict of a loop the host did not start loads the champion; a store that fails here is reported
            // as the loop having no champion yet, not as the store's own exception on the request path.
            try
            {
                StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception exception) when (exception is not ObjectDisposedException)
            {
                _failures.Contain("start", Name, exception);
                throw new InvalidOperationException(
                    $"Feedback loop '{Name}' could not start (loading its champion or state failed: {exception.GetType().Name}: {exception.Message}); call StartAsync to retry.",
                    exception);
            }

            serving = Volatile.Read(ref _serving);
        }

        var model = _router.Route(predictionId, features, serving)
            ?? throw new InvalidOperationException(
                $"Feedback loop '{Name}' has no champion yet: promote a model (PromoteAsync) or run a cycle once labels exist.{_championLoadFailure}");
        var output = model.Predictor.Predict(features);
        if (!Task.Accepts(output, out var problem))
        {
            throw new InvalidOperationException($"Model {model.Version} of loop '{Name}' returned an output that does not fit the loop: {problem}.");
        }

        var prediction = new Prediction(predictionId, Name, model.VersionText, _time.GetUtcNow(), features, output, segments);
        CheckLimits(prediction);
        Record(prediction, static (pipeline, p) => pipeline.Enqueue(p));
        return prediction;
    }

    public void RecordPrediction(Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (!string.Equals(prediction.ModelName, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The prediction is for model '{prediction.ModelName}', but this loop is '{Name}'.", nameof(prediction));
        }

        ValidateFeatures(prediction.Features);
        if (!Task.Accepts(prediction.Output, out var problem))
        {
            throw new InvalidLabelException(Task.LabelKind, prediction.Output.Label.Kind, $"Loop '{Name}' ({Task}): {problem}.");
        }

        CheckLimits(prediction);
        Record(prediction, static (pipeline, p) => pipeline.Enqueue(p));
    }

    public void RecordFeedback(Feedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        ValidateValue(feedback);
        CheckText(feedback.Source, "the feedback source", nameof(feedback));
        if (feedback.Value.Kind == LabelKind.Categorical)
        {
            CheckText(feedback.Value.AsCategory(), "the feedback value", nameof(feedback));
        }

        Record(feedback, static (pipeline, f) => pipeline.Enqueue(f));
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        RefuseInsideOwnCallback(nameof(FlushAsync), LoopCallback.Consumer);
        return _pipeline.FlushAsync(cancellationToken);
    }

    public Task WhenCycleDueAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Volatile.Read(ref _cycleDue).Task.WaitAsync(cancellationToken);
    }

    public Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken) => RunAsync(nameof(RunCycleAsync), _stages, null, cancellationToken);

    public Task<CycleReport> ChallengeAsync(TrainedModel candidate, AliasChange change, LabelledWindowQuery? holdout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(change);
        if (holdout is { MaxCount: < 1 })
        {
            throw new ArgumentOutOfRangeException(nameof(holdout), holdout.MaxCount, "The holdout query must allow at least one example (MaxCount).");
        }

        if (_loader is null)
        {
            throw new ArgumentException(
                $"Loop '{Name}' has no artifact loader, so a challenger could not be restored after a restart or rolled back to; configure one with UseTrainer(trainer, loader) or a package's Use... method.",
                nameof(candidate));
        }

        string? problem;
        try
        {
            problem = CandidateProblem(candidate);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            throw new ArgumentException($"The challenger cannot be judged: its artifact does not load back ({e.GetType().Name}: {e.Message.TrimEnd('.')}).", nameof(candidate), e);
        }

        if (problem is not null)
        {
            throw new ArgumentException($"The challenger cannot be judged: {problem}.", nameof(candidate));
        }

        var stages = CreateStages(new Stage("holdout", (context, token) => ReadHoldoutAsync(context, holdout, token)));
        return RunAsync(nameof(ChallengeAsync), stages, new Challenge(candidate, $"challenge by {change.Actor}: {change.Reason}"), cancellationToken);
    }

    /// <summary>Runs one cycle of <paramref name="stages"/> under the cycle lock: the loop's own, or one judging a <paramref name="challenge"/>.</summary>
    private async Task<CycleReport> RunAsync(string caller, ICycleStage[] stages, Challenge? challenge, CancellationToken cancellationToken)
    {
        RefuseInsideOwnCallback(caller, LoopCallback.Consumer, LoopCallback.Cycle);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await _cycleLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var running = LoopCallbacks.Enter(_pipeline, LoopCallback.Cycle);
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var cycle = ++_cycles;

            // This cycle answers the announcement; one made while it flushes is kept for the next (at worst a cycle with nothing to do).
            if (Volatile.Read(ref _cycleDue).Task.IsCompleted)
            {
                Volatile.Write(ref _cycleDue, NewCycleDue());
            }

            using var activity = LoopInstruments.ActivitySource.StartActivity(FeedbackLoopTelemetry.CycleActivity);
            activity?.SetTag(FeedbackLoopTelemetry.LoopTag, Name);
            var start = _time.GetTimestamp();
            var report = await ExecuteCycleAsync(cycle, stages, challenge, cancellationToken).ConfigureAwait(false) with { Duration = _time.GetElapsedTime(start) };

            // The report's number: a shared loop's cycle is renumbered after the state another leader saved.
            activity?.SetTag("feedbackloop.cycle.number", report.Cycle);
            _instruments.CycleCompleted(report.Duration);
            activity?.SetTag(FeedbackLoopTelemetry.OutcomeTag, report.Outcome.ToString());
            if (report.Outcome == CycleOutcome.Failed)
            {
                activity?.SetStatus(ActivityStatusCode.Error, report.Failure);
            }

            Log.CycleCompleted(_logger, report.Outcome == CycleOutcome.NoAction ? LogLevel.Debug : LogLevel.Information, Name, report);
            return report;
        }
        finally
        {
            _cycleLock.Release();
        }
    }

    public async Task<ModelVersion> PromoteAsync(TrainedModel model, AliasChange change, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(change);
        if (TaskProblem(model.Predictor) is { } problem)
        {
            throw new ArgumentException(problem, nameof(model));
        }

        await StartAsync(cancellationToken).ConfigureAwait(false);
        return await SwapAsync<ModelVersion>(async () =>
        {
            var lineage = new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = change.Reason, ["actor"] = change.Actor, ["promotion"] = "manual" };
            if (Champion is { } parent)
            {
                lineage["parent"] = parent.Version.ToString(CultureInfo.InvariantCulture);
            }

            var version = await _registry.RegisterAsync(Registration(model, new Dictionary<string, double>(), lineage), cancellationToken).ConfigureAwait(false);
            return (version, await MakeChampionAsync(version, model.Predictor, change, cancellationToken).ConfigureAwait(false));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ModelVersion> SeedAsync(TrainingSet data, AliasChange change, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(change);
        if (!ReferenceEquals(data.Schema, Schema) && !data.Schema.Equals(Schema))
        {
            throw new ArgumentException($"The training set follows schema [{data.Schema}], but loop '{Name}' uses [{Schema}].", nameof(data));
        }

        if (!data.Task.Equals(Task))
        {
            throw new ArgumentException($"The training set is for a {data.Task} task, but loop '{Name}' is {Task}.", nameof(data));
        }

        await StartAsync(cancellationToken).ConfigureAwait(false);
        if (Champion is { } champion)
        {
            throw new InvalidOperationException(
                $"Loop '{Name}' already has a champion ({champion}); later models come from its cycles (gated) or from PromoteAsync.");
        }

        var model = await TrainCandidateAsync(data, cancellationToken).ConfigureAwait(false);
        Publish(new ModelTrained(Name, _time.GetUtcNow(), 0, model.Description, data.Count));
        var lineage = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reason"] = change.Reason,
            ["actor"] = change.Actor,
            ["promotion"] = "seed",
            [TrainingExamplesKey] = data.Count.ToString(CultureInfo.InvariantCulture),
            ["training.sources"] = string.Join(",", data.Sources.Distinct(StringComparer.Ordinal)),
        };
        return await SwapAsync<ModelVersion>(async () =>
        {
            if (Champion is { } promoted)
            {
                throw new InvalidOperationException($"Loop '{Name}' got a champion ({promoted}) while the seed trained; the seed is not registered.");
            }

            var version = await _registry.RegisterAsync(Registration(model, new Dictionary<string, double>(), lineage), cancellationToken).ConfigureAwait(false);
            return (version, await MakeChampionAsync(version, model.Predictor, change, cancellationToken).ConfigureAwait(false));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ModelVersion> RollbackAsync(AliasChange change, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(change);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        return await SwapAsync<ModelVersion>(async () =>
        {
            // Load the target before moving the alias, so a version that cannot be loaded leaves registry and live model as they were.
            var history = await _registry.GetAliasHistoryAsync(Name, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
            var target = RollbackTarget.Find(history) is { } number
                ? await _registry.GetVersionAsync(Name, number, cancellationToken).ConfigureAwait(false)
                : null;
            if (target is null)
            {
                throw new InvalidOperationException($"Loop '{Name}' has no earlier champion to roll back to.");
            }

            var predictor = await LoadPredictorAsync(target, cancellationToken).ConfigureAwait(false);
            var from = Champion?.Version;
            var version = await _registry.RollbackAsync(Name, change, cancellationToken).ConfigureAwait(false);
            SetLive(version, version.Version == target.Version ? predictor : await LoadPredictorAsync(version, cancellationToken).ConfigureAwait(false));
            return (version, new ModelRolledBack(Name, _time.GetUtcNow(), version, from, change));
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<LoopStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => _pipeline.GetStatisticsAsync(cancellationToken);

    /// <inheritdoc />
    public LoopHealth Health => _pipeline.Health;

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <remarks>A running cycle finishes first; later cycles and record calls throw <see cref="ObjectDisposedException"/>.</remarks>
    /// <exception cref="InvalidOperationException">Called from inside the loop's own cycle or event consumer (a stage, sink, detector or observer), which disposal would wait for.</exception>
    public async ValueTask DisposeAsync()
    {
        RefuseInsideOwnCallback("Dispose", LoopCallback.Consumer, LoopCallback.Cycle);
        await _cycleLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _pipeline.DisposeAsync().ConfigureAwait(false);
            Volatile.Read(ref _cycleDue).TrySetException(new ObjectDisposedException(GetType().FullName, $"Loop '{Name}' was disposed."));
            if (_aliasWatch is { } watch)
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }

            // A shared loop's state is the leaders': saved by each cycle that led, never by an instance leaving.
            if (_coordinator is null)
            {
                await SaveStateAsync(CancellationToken.None).ConfigureAwait(false);
            }
            _instruments.Dispose();
            foreach (var component in _owned)
            {
                if (component is IAsyncDisposable asynchronous)
                {
                    await asynchronous.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    (component as IDisposable)?.Dispose();
                }
            }
        }
        finally
        {
            _cycleLock.Release();
        }
    }

    /// <summary>
    /// Queues a validated event and, with <see cref="EventDurability.PerCall"/>, waits until the consumer has applied it —
    /// at most <see cref="EventQueueOptions.PerCallTimeout"/>: a store that keeps failing must not hold the request thread.
    /// </summary>
    private void Record<TEvent>(TEvent item, Action<EventPipeline, TEvent> enqueue)
    {
        var perCall = _options.Events.Durability == EventDurability.PerCall;
        if (perCall)
        {
            RefuseInsideOwnCallback("A record call with per-call durability", LoopCallback.Consumer);
        }

        enqueue(_pipeline, item);
        if (perCall)
        {
            try
            {
                _pipeline.FlushAsync(CancellationToken.None).WaitAsync(_options.Events.PerCallTimeout).GetAwaiter().GetResult();
            }
            catch (TimeoutException exception)
            {
                throw new TimeoutException(
                    $"Loop '{Name}' recorded the event but could not store it within Events.PerCallTimeout ({_options.Events.PerCallTimeout}); it stays queued and is retried. Do not acknowledge it yet.",
                    exception);
            }
        }
    }

    /// <summary>Refuses a call that would wait for the very callback of this loop it is made from: it would never return.</summary>

    private void RefuseInsideOwnCallback(string operation, params ReadOnlySpan<LoopCallback> refused)
    {
        var callback = LoopCallbacks.Of(_pipeline);
        if (callback != LoopCallback.None && refused.Contains(callback))
        {
            var where = callback == LoopCallback.Cycle ? "cycle (a stage, the trainer, the gate or an observer)" : "event consumer (a store, sink, detector or observer)";
            throw new InvalidOperationException($"{operation} was called from inside loop '{Name}''s own {where}, which it would wait for; call it after that callback returns.");
        }
    }

    private void ValidateFeatures(FeatureVector features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!ReferenceEquals(features.Schema, Schema) && !features.Schema.Equals(Schema))
        {
            throw new ArgumentException($"The features follow schema [{features.Schema}], but loop '{Name}' uses [{Schema}].", nameof(features));
        }

        features.Validate();
    }

    private void CheckLimits(Prediction prediction)
    {
        var limits = _options.Limits;
        CheckText(prediction.ModelVersion, "the model version", nameof(prediction));
        if (prediction.Segments.Count > limits.MaxSegments)
        {
            throw new ArgumentException(
                $"The prediction carries {prediction.Segments.Count} segment tags; loop '{Name}' accepts at most {limits.MaxSegments} (Limits.MaxSegments).", nameof(prediction));
        }

        foreach (var (key, value) in prediction.Segments)
        {
            CheckText(key, "a segment key", nameof(prediction));
            CheckText(value, $"segment '{key}'", nameof(prediction));
        }

        foreach (var category in prediction.Features.Categorical)
        {
            CheckText(category, "a categorical feature value", nameof(prediction));
        }
    }

    /// <summary>
    /// Refuses a string a store could not keep: longer than the limit, or holding a NUL character or an unpaired UTF-16
    /// surrogate (neither PostgreSQL text nor UTF-8 can store them; a store that failed on one would retry its batch forever).
    /// </summary>
    private void CheckText(string? text, string what, string parameter)
    {
        if (text is null)
        {
            return;
        }

        if (text.Length > _options.Limits.MaxStringLength)
        {
            throw new ArgumentException(
                $"{char.ToUpperInvariant(what[0])}{what[1..]} has {text.Length} characters; loop '{Name}' accepts at most {_options.Limits.MaxStringLength} (Limits.MaxStringLength).",
                parameter);
        }

        if (!IsStorable(text))
        {
            throw new ArgumentException(
                $"{char.ToUpperInvariant(what[0])}{what[1..]} holds a NUL character or an unpaired UTF-16 surrogate, which stores cannot keep; loop '{Name}' refuses it.",
                parameter);
        }
    }

    /// <summary>Whether a string has no NUL character and no unpaired surrogate (one pass; no allocation).</summary>
    private static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[++i]))))
            {
                return false;
            }
        }

        return true;
    }

    private void ValidateValue(Feedback feedback)
    {
        if (!Enum.IsDefined(feedback.Kind))
        {
            throw new ArgumentException($"Feedback kind {(int)feedback.Kind} is not a defined {nameof(FeedbackKind)}.", nameof(feedback));
        }

        if (feedback.IsLabel)
        {
            if (!Task.Accepts(feedback.Value, out var problem))
            {
                throw new InvalidLabelException(Task.LabelKind, feedback.Value.Kind, $"{feedback.Kind} feedback for loop '{Name}': {problem}.");
            }

            return;
        }

        var expected = feedback.Kind switch
        {
            FeedbackKind.Rating => LabelKind.Numeric,
            _ => feedback.Value.Kind == LabelKind.None ? LabelKind.None : LabelKind.Categorical,
        };
        if (feedback.Value.Kind != expected)
        {
            throw new InvalidLabelException(
                expected,
                feedback.Value.Kind,
                $"{feedback.Kind} feedback for loop '{Name}' must carry a {expected} value; it carries {feedback.Value.Kind} ({feedback.Value}).");
        }
    }

    public async Task<int> ExportLabelledWindowAsync(Stream destination, LabelledWindowQuery? query, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        RefuseInsideOwnCallback(nameof(ExportLabelledWindowAsync), LoopCallback.Consumer);
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
        var examples = _window.ReadLabelledAsync(query ?? new LabelledWindowQuery { MaxCount = _options.TrainingWindowSize }, cancellationToken);
        return await LabelledWindowCsv.WriteAsync(examples, Schema, Task, destination, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IPredictor> LoadVersionAsync(int version, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        var registered = await _registry.GetVersionAsync(Name, version, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Loop '{Name}' has no version {version} of its model.");
        return await LoadPredictorAsync(registered, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IPredictor> LoadPredictorAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_predictors.TryGetValue(version.Version, out var predictor))
        {
            return predictor;
        }

        var loader = _loader ?? throw new InvalidOperationException(
            $"Cannot load {version}: no IModelArtifactLoader is configured (UseLearner, or UseTrainer with a loader).");
        if (version.SchemaFingerprint is { } fingerprint && !string.Equals(fingerprint, Schema.Fingerprint, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{version} was trained on another schema (fingerprint {fingerprint}); loop '{Name}' has schema [{Schema}] (fingerprint {Schema.Fingerprint}).");
        }

        var artifact = await _registry.GetArtifactAsync(Name, version.Version, cancellationToken).ConfigureAwait(false);
        var loaded = Load(loader, artifact);
        return TaskProblem(loaded) is { } problem ? throw new InvalidOperationException($"{version}: {problem}") : loaded;
    }

    /// <summary>
    /// Why a model cannot become this loop's candidate, or <see langword="null"/>: it performs another task, or (with a
    /// loader) its artifact does not load back as a model of the loop's task, so it could not be rolled back to or reloaded
    /// after a restart.
    /// </summary>
    /// <exception cref="FormatException">The loader refuses the artifact.</exception>
    private string? CandidateProblem(TrainedModel model)
    {
        if (TaskProblem(model.Predictor) is { } problem)
        {
            return problem;
        }

        if (_loader is null)
        {
            return null;
        }

        // The model loaded back is only looked at: one that holds native memory (an ONNX session) is released at once.
        var loaded = Load(_loader, model.Artifact);
        try
        {
            return TaskProblem(loaded) is { } loadedProblem ? $"its artifact loads back as a model that cannot serve: {loadedProblem}" : null;
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    /// <summary>Why a predictor cannot serve this loop (it performs another task), or <see langword="null"/>.</summary>
    private string? TaskProblem(IPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        return predictor.Task is { } task && task.Equals(Task)
            ? null
            : $"the model performs a {predictor.Task?.ToString() ?? "null"} task, but loop '{Name}' is {Task}";
    }

    /// <summary>Reads an artifact through the loader, as a stream over the bytes (no copy).</summary>
    private IPredictor Load(IModelArtifactLoader loader, ReadOnlyMemory<byte> artifact)
    {
        using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(artifact, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(artifact.ToArray(), writable: false);
        return loader.Load(stream, Schema);
    }

    /// <summary>A registration of this loop's model, carrying the schema's fingerprint.</summary>
    private ModelRegistration Registration(TrainedModel model, IReadOnlyDictionary<string, double> metrics, IReadOnlyDictionary<string, string> lineage) =>
        new(Name, model.Artifact, model.Description, metrics, lineage) { SchemaFingerprint = Schema.Fingerprint };

    /// <summary>
    /// Moves the champion alias under the swap lock and publishes the move's notification once the lock is released,
    /// so that an observer may move the alias again (roll back a promotion it dislikes) without waiting for itself.
    /// Notifications are queued under the lock and published in the order of the moves, one at a time: an observer
    /// that tracks the champion from them ends with the champion.
    /// </summary>
    private async Task<T> SwapAsync<T>(Func<Task<(T Result, LoopNotification? Notification)>> swap, CancellationToken cancellationToken)
    {
        await _swapLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        T result;
        try
        {
            (result, var notification) = await swap().ConfigureAwait(false);
            if (notification is not null)
            {
                lock (_movesSync)
                {
                    _moves.Enqueue(notification);
                }
            }
        }
        finally
        {
            _swapLock.Release();
        }

        PublishMoves();
        return result;
    }

    /// <summary>Publishes the queued alias moves unless another thread (or an outer call on this one) is already doing so; that one publishes these too.</summary>
    private void PublishMoves()
    {
        lock (_movesSync)
        {
            if (_publishingMoves)
            {
                return;
            }

            _publishingMoves = true;
        }

        while (true)
        {
            LoopNotification? next;
            lock (_movesSync)
            {
                if (!_moves.TryDequeue(out next))
                {
                    _publishingMoves = false;
                    return;
                }
            }

            // Observers are contained by Publish, so nothing escapes to leave the queue without a publisher.
            Publish(next);
        }
    }

    /// <summary>Moves the champion alias to a registered version and serves it; returns the promotion to publish.</summary>
    private async Task<ModelPromoted> MakeChampionAsync(
        ModelVersion version, IPredictor predictor, AliasChange change, CancellationToken cancellationToken, bool carryErrorBaseline = false)
    {
        var move = await _registry.SetAliasAsync(Name, ModelAliases.Champion, version.Version, change, cancellationToken).ConfigureAwait(false);
        SetLive(version, predictor, carryErrorBaseline);
        return new ModelPromoted(Name, _time.GetUtcNow(), version, move.FromVersion, change);
    }

    private static TaskCompletionSource NewCycleDue() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Hands a notification to every observer (telemetry first); a failing observer is contained.</summary>
    private void Publish(LoopNotification notification)
    {
        foreach (var observer in _observers)
        {
            _failures.TryInvoke("observer", observer.GetType().Name, (observer, notification), static s => s.observer.OnNotification(s.notification));
        }
    }

    /// <summary>Swaps the served models atomically (the request path reads them without a lock) and moves the monitors with them.</summary>
    /// <param name="version">The new champion.</param>
    /// <param name="predictor">Its loaded predictor.</param>
    /// <param name="carryErrorBaseline">
    /// Whether the new champion's error detector starts from the state of the one it replaces (see <see cref="LoopMonitors.Serve"/>):
    /// for a promotion that did not follow a drift, so a change that coincides with it is still measured against the old level.
    /// </param>
    private void SetLive(ModelVersion version, IPredictor predictor, bool carryErrorBaseline = false)
    {
        // Recent champions stay loaded so that a rollback is instant; older ones are reloaded from the registry.
        _predictors[version.Version] = predictor;
        foreach (var old in _predictors.Keys.Where(v => v <= version.Version - LoadedChampions))
        {
            _predictors.TryRemove(old, out _);
        }

        var serving = new ServingSet(new ServingModel(version, predictor));
        Volatile.Write(ref _serving, serving);
        _monitors.Serve(serving, carryErrorBaseline);
    }
}
