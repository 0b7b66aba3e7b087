using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Monitoring;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Storage;
using FeedbackLoop.Telemetry;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop;

/// <summary>The <see cref="IFeedbackLoop"/> built by <see cref="FeedbackLoopBuilder"/>.</summary>
internal sealed partial class FeedbackLoopEngine : IFeedbackLoop
{
    private readonly FeedbackLoopOptions _options;
    private readonly TimeProvider _time;
    private readonly IFeedbackStore _store;
    private readonly IModelRegistry _registry;
    private readonly IModelTrainer _trainer;
    private readonly IModelArtifactLoader? _loader;
    private readonly IRetrainPolicy _policy;
    private readonly IPromotionGate _gate;
    private readonly IFeedbackSink[] _sinks;
    private readonly LoopMonitors _monitors;
    private readonly LoopInstruments _instruments;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _startedAt;
    private readonly SemaphoreSlim _cycleLock = new(1, 1);
    private const int LoadedChampions = 8;

    private readonly ConcurrentDictionary<int, IPredictor> _predictors = new();

    private LiveModel? _live;
    private long _feedbackAccepted;
    private long _sinkFailures;
    private long _cycles;
    private DateTimeOffset? _lastTrainedAt;

    internal FeedbackLoopEngine(in FeedbackLoopComponents components)
    {
        Name = components.Name;
        Schema = components.Schema;
        _options = components.Options;
        _time = components.Time;
        _store = components.Store;
        _registry = components.Registry;
        _trainer = components.Trainer;
        _loader = components.Loader;
        _policy = components.Policy;
        _gate = components.Gate;
        _sinks = components.Sinks;
        _logger = components.Logger;
        _instruments = new LoopInstruments(Name, components.MeterFactory);
        _monitors = new LoopMonitors(components.FeatureMonitors, components.ErrorMonitor, _options.RollingWindowSize, _instruments, _logger);
        _startedAt = _time.GetUtcNow();
    }

    public string Name { get; }

    public FeatureSchema Schema { get; }

    public ModelVersion? Champion => Volatile.Read(ref _live)?.Version;

    public Prediction Predict(FeatureVector features, IReadOnlyDictionary<string, string>? segments = null, PredictionId? id = null)
    {
        ValidateFeatures(features);
        var live = Volatile.Read(ref _live)
            ?? throw new InvalidOperationException($"Feedback loop '{Name}' has no champion yet: promote a model (PromoteAsync) or run a cycle once labels exist.");
        var prediction = new Prediction(id ?? PredictionId.New(), Name, live.VersionText, _time.GetUtcNow(), features, live.Predictor.Predict(features), segments);
        Record(prediction);
        return prediction;
    }

    public bool RecordPrediction(Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (!string.Equals(prediction.ModelName, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The prediction is for model '{prediction.ModelName}', but this loop is '{Name}'.", nameof(prediction));
        }

        ValidateFeatures(prediction.Features);
        if (prediction.Output.Label.Kind != LabelKind.Binary)
        {
            throw new InvalidLabelException(
                LabelKind.Binary, prediction.Output.Label.Kind, $"Loop '{Name}' classifies binary outcomes; the prediction's label is {prediction.Output.Label.Kind}.");
        }

        return Record(prediction);
    }

    public FeedbackRecordStatus RecordFeedback(Feedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        ValidateValue(feedback);
        var result = _store.RecordFeedback(feedback, _time.GetUtcNow());
        if (result.Status == FeedbackRecordStatus.Duplicate)
        {
            return result.Status;
        }

        Interlocked.Increment(ref _feedbackAccepted);
        _instruments.FeedbackAccepted(feedback.Kind, result.Status);
        var joined = result.Status == FeedbackRecordStatus.Joined;
        if (joined && feedback.IsLabel)
        {
            ObserveLabel(result.Joined.ModelVersion, feedback.Value, result.Joined.Output, result.Joined.Timestamp);
        }

        if (_sinks.Length == 0)
        {
            return result.Status;
        }

        // Sinks see the whole prediction; the store rebuilds it only for them (null if it was evicted meanwhile).
        Prediction? prediction = null;
        if (joined)
        {
            _store.TryGetPrediction(feedback.PredictionId, out prediction);
        }

        foreach (var sink in _sinks)
        {
            try
            {
                sink.OnFeedback(feedback, prediction);
            }
#pragma warning disable CA1031 // A host's sink may throw anything; the request path must not see it.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                SinkFailed(sink, exception);
            }
        }

        return result.Status;
    }

    public async Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken)
    {
        await _cycleLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cycle = ++_cycles;
            using var activity = LoopInstruments.ActivitySource.StartActivity(FeedbackLoopTelemetry.CycleActivity);
            activity?.SetTag(FeedbackLoopTelemetry.LoopTag, Name);
            activity?.SetTag("feedbackloop.cycle.number", cycle);
            var start = _time.GetTimestamp();
            var report = await ExecuteCycleAsync(cycle, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false) with { Duration = _time.GetElapsedTime(start) };
            _instruments.CycleCompleted(report.Duration);
            activity?.SetTag(FeedbackLoopTelemetry.OutcomeTag, report.Outcome.ToString());
            if (report.Outcome == CycleOutcome.Failed)
            {
                activity?.SetStatus(ActivityStatusCode.Error, report.Failure);
            }

            Log.CycleCompleted(_logger, Name, cycle, report);
            return report;
        }
        finally
        {
            _cycleLock.Release();
        }
    }

    public async Task<ModelVersion> PromoteAsync(TrainedModel model, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        await _cycleLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var lineage = new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = reason, ["promotion"] = "manual" };
            if (Champion is { } parent)
            {
                lineage["parent"] = parent.Version.ToString(CultureInfo.InvariantCulture);
            }

            var version = await _registry.RegisterAsync(
                new ModelRegistration(Name, model.Artifact, model.Description, new Dictionary<string, double>(), lineage), cancellationToken).ConfigureAwait(false);
            await _registry.SetAliasAsync(Name, ModelAliases.Champion, version.Version, cancellationToken).ConfigureAwait(false);
            GoLive(version, model.Predictor);
            return version;
        }
        finally
        {
            _cycleLock.Release();
        }
    }

    public async Task<ModelVersion> RollbackAsync(CancellationToken cancellationToken)
    {
        await _cycleLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var version = await _registry.RollbackAsync(Name, cancellationToken).ConfigureAwait(false);
            IPredictor predictor;
            try
            {
                predictor = await LoadPredictorAsync(version, cancellationToken).ConfigureAwait(false);
            }
            catch when (Champion is { } current)
            {
                // Put the registry back so that it keeps naming the model that is actually live.
                await _registry.SetAliasAsync(Name, ModelAliases.Champion, current.Version, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            GoLive(version, predictor);
            return version;
        }
        finally
        {
            _cycleLock.Release();
        }
    }

    public FeedbackStoreStatistics GetStatistics() => _store.GetStatistics();

    public void Dispose()
    {
        _instruments.Dispose();
        _cycleLock.Dispose();
    }

    private bool Record(Prediction prediction)
    {
        var result = _store.RecordPrediction(prediction);
        if (result.IsDuplicate)
        {
            return false;
        }

        _instruments.PredictionRecorded();
        _monitors.ObserveFeatures(prediction);
        for (var i = 0; i < result.AdoptedFeedback.Count; i++)
        {
            var adopted = result.AdoptedFeedback[i];
            if (adopted.IsLabel)
            {
                ObserveLabel(prediction.ModelVersion, adopted.Value, prediction.Output, prediction.Timestamp);
            }
        }

        foreach (var sink in _sinks)
        {
            try
            {
                sink.OnPrediction(prediction);
            }
#pragma warning disable CA1031 // A host's sink may throw anything; the request path must not see it.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                SinkFailed(sink, exception);
            }
        }

        return true;
    }

    private void ObserveLabel(string modelVersion, Label actual, PredictionOutput output, DateTimeOffset predictedAt)
    {
        // The error stream describes the live champion: labels that arrive late for an earlier model's
        // predictions say nothing about the current one and would raise false drift after a promotion.
        var live = Volatile.Read(ref _live);
        _monitors.ObserveLabel(live is null || string.Equals(modelVersion, live.VersionText, StringComparison.Ordinal), actual, output, predictedAt);
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

    private void ValidateValue(Feedback feedback)
    {
        var expected = feedback.Kind switch
        {
            FeedbackKind.GroundTruth or FeedbackKind.HumanCorrection => LabelKind.Binary,
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

    private void SinkFailed(IFeedbackSink sink, Exception exception)
    {
        Interlocked.Increment(ref _sinkFailures);
        _instruments.Failed("sink");
        Log.SinkFailed(_logger, exception, sink.GetType().Name);
    }

    private async Task<IPredictor> LoadPredictorAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_predictors.TryGetValue(version.Version, out var predictor))
        {
            return predictor;
        }

        var loader = _loader ?? throw new InvalidOperationException(
            $"Cannot load {version}: no IModelArtifactLoader is configured (UseLearner, or UseTrainer with a loader).");
        var artifact = await _registry.GetArtifactAsync(Name, version.Version, cancellationToken).ConfigureAwait(false);
        return loader.Load(artifact.Span, Schema);
    }

    private void GoLive(ModelVersion version, IPredictor predictor)
    {
        // Recent champions stay loaded so that a rollback is instant; older ones are reloaded from the registry.
        _predictors[version.Version] = predictor;
        foreach (var old in _predictors.Keys.Where(v => v <= version.Version - LoadedChampions))
        {
            _predictors.TryRemove(old, out _);
        }

        Volatile.Write(ref _live, new LiveModel(version, predictor));
        _monitors.ResetOutcomes();
        _instruments.Promoted();
    }

    private sealed record LiveModel(ModelVersion Version, IPredictor Predictor)
    {
        public string VersionText { get; } = Version.Version.ToString(CultureInfo.InvariantCulture);
    }
}
