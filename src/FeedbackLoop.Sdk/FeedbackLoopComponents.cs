using System.Diagnostics.Metrics;
using FeedbackLoop.Coordination;
using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Notifications;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Rollout;
using FeedbackLoop.State;
using FeedbackLoop.Storage;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop;

/// <summary>Everything <see cref="FeedbackLoopBuilder"/> resolves for one <see cref="FeedbackLoopEngine"/>.</summary>
internal readonly record struct FeedbackLoopComponents(
    string Name,
    FeatureSchema Schema,
    ModelTask Task,
    FeedbackLoopOptions Options,
    TimeProvider Time,
    IEventStore Store,
    ILabelledWindowSource Window,
    IModelRegistry Registry,
    ILoopStateStore StateStore,
    ILoopCoordinator? Coordinator,
    IModelTrainer Trainer,
    IModelArtifactLoader? Loader,
    IRetrainPolicy Policy,
    IPromotionGate Gate,
    IModelRouter Router,
    IReadOnlyList<ICycleStage> CycleStages,
    IReadOnlyList<ILoopObserver> Observers,
    IFeedbackSink[] Sinks,
    IBatchedFeedbackSink[] BatchedSinks,
    IReadOnlyList<(FeatureDefinition Feature, Func<IDriftDetector> Factory)> FeatureMonitors,
    Func<IDriftDetector> ErrorMonitor,
    IMeterFactory? MeterFactory,
    ILogger Logger,
    IReadOnlyList<object> Owned);
