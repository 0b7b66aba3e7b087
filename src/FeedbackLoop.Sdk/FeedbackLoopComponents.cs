using System.Diagnostics.Metrics;
using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.State;
using FeedbackLoop.Storage;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop;

/// <summary>Everything <see cref="FeedbackLoopBuilder"/> resolves for one <see cref="FeedbackLoopEngine"/>.</summary>
internal readonly record struct FeedbackLoopComponents(
    string Name,
    FeatureSchema Schema,
    FeedbackLoopOptions Options,
    TimeProvider Time,
    IEventStore Store,
    ILabelledWindowSource Window,
    IModelRegistry Registry,
    ILoopStateStore StateStore,
    IModelTrainer Trainer,
    IModelArtifactLoader? Loader,
    IRetrainPolicy Policy,
    IPromotionGate Gate,
    IReadOnlyList<ICycleStage> CycleStages,
    IFeedbackSink[] Sinks,
    IBatchedFeedbackSink[] BatchedSinks,
    IReadOnlyList<(FeatureDefinition Feature, Func<IDriftDetector> Factory)> FeatureMonitors,
    Func<IDriftDetector> ErrorMonitor,
    IMeterFactory? MeterFactory,
    ILogger Logger);
