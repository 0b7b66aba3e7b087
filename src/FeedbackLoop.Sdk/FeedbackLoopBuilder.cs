using System.Diagnostics.Metrics;
using FeedbackLoop.Coordination;
using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Monitoring;
using FeedbackLoop.Notifications;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Rollout;
using FeedbackLoop.State;
using FeedbackLoop.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FeedbackLoop;

/// <summary>
/// Configures one feedback loop: its schema, learner, store, registry, monitors, retrain policy, promotion gate
/// and sinks. Returned by <c>services.AddFeedbackLoop(name)</c>, or created directly and built without DI:
/// <c>new FeedbackLoopBuilder("churn").WithSchema(...).Build()</c>.
/// </summary>
/// <remarks>
/// Defaults: a binary task, in-memory store and registry, the task's built-in learner (L2 logistic regression,
/// <see cref="Learners.LogisticRegression"/>; softmax regression for multiclass, <see cref="Learners.SoftmaxRegression"/>;
/// ridge regression for regression, <see cref="Learners.RidgeRegression"/>), ADWIN on the error stream reporting increases only, no
/// feature monitors, <c>Retrain.OnDrift().Or(Retrain.EveryNewLabels(5_000))</c>, and
/// <see cref="Gates.SignificantlyMoreAccurateThanChampion"/> for classifiers (<see cref="Gates.NoWorseThanChampion"/> on
/// RMSE for regression). Not thread-safe; configure it from one thread.
/// </remarks>
public sealed class FeedbackLoopBuilder
{
    private readonly List<Action<FeedbackLoopOptions>> _configure = [];
    private readonly List<Func<IServiceProvider, IFeedbackSink>> _sinks = [];
    private readonly List<Func<IServiceProvider, IBatchedFeedbackSink>> _batchedSinks = [];
    private readonly List<Func<IServiceProvider, ICycleStage>> _stages = [];
    private readonly List<Func<IServiceProvider, ILoopObserver>> _observers = [];
    private readonly List<(string Name, Func<IDriftDetector> Factory)> _featureMonitors = [];
    private FeatureSchema? _schema;
    private ModelTask _task = ModelTask.Binary;
    private Func<IDriftDetector>? _allFeatures;
    private Func<IServiceProvider, (IModelTrainer Trainer, IModelArtifactLoader? Loader)>? _training;
    private Func<LoopComponentContext, (IEventStore Store, ILabelledWindowSource Window)>? _store;
    private Func<LoopComponentContext, IModelRegistry>? _registry;
    private Func<LoopComponentContext, ILoopStateStore>? _stateStore;
    private Func<LoopComponentContext, ILoopCoordinator>? _coordinator;
    // A falling error rate is no reason to retrain: the error detector reports rises only.
    private Func<IDriftDetector> _errors = () => new Adwin(direction: ChangeDirection.Up);

    // Measured in docs/loop-effectiveness.md: drift alone keeps a weak post-drift model until the next drift, and a
    // schedule alone reacts 5,000 labels late; together they reach 98% of the oracle at a 500-prediction label delay.
    private IRetrainPolicy _policy = Retrain.OnDrift().Or(Retrain.EveryNewLabels(5_000));
    private IPromotionGate? _gate;
    private TimeProvider? _time;
    private IModelRouter _router = ChampionRouter.Instance;

    /// <summary>Initializes a builder for use without dependency injection.</summary>
    /// <param name="name">The loop name, also the model name in the registry.</param>
    public FeedbackLoopBuilder(string name)
        : this(name, new ServiceCollection())
    {
    }

    /// <summary>Initializes a builder that registers into <paramref name="services"/>.</summary>
    /// <param name="name">The loop name, also the model name in the registry.</param>
    /// <param name="services">The host's service collection.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name (<see cref="ModelNames.Validate"/>: 1 to 128 letters, digits, '-', '_' or '.').</exception>
    public FeedbackLoopBuilder(string name, IServiceCollection services)
    {
        ModelNames.Validate(name, nameof(name));
        ArgumentNullException.ThrowIfNull(services);
        Name = name;
        Services = services;
    }

    /// <summary>Gets the loop name.</summary>
    public string Name { get; }

    /// <summary>Gets the service collection extensions register into (a private one when built without DI).</summary>
    public IServiceCollection Services { get; }

    /// <summary>Sets the feature schema (required).</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder WithSchema(FeatureSchema schema)
    {
        _schema = schema ?? throw new ArgumentNullException(nameof(schema));
        return this;
    }

    /// <summary>Declares the feature schema (required).</summary>
    /// <param name="declare">Declares the features, for example <c>s => s.Numeric("income").Categorical("region")</c>.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder WithSchema(Action<FeatureSchemaBuilder> declare)
    {
        ArgumentNullException.ThrowIfNull(declare);
        var schema = FeatureSchema.CreateBuilder();
        declare(schema);
        return WithSchema(schema.Build());
    }

    /// <summary>
    /// Declares the task the loop's model performs (binary classification by default): the label kind its ground truth
    /// carries, the outputs its models return, its error stream, rolling metrics and default gate follow it.
    /// </summary>
    /// <param name="task">The task, for example <c>ModelTask.Multiclass("billing", "technical", "sales")</c> or <see cref="ModelTask.Regression"/>.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder ForTask(ModelTask task)
    {
        _task = task ?? throw new ArgumentNullException(nameof(task));
        return this;
    }

    /// <summary>Changes options; called in order when the loop is built.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder Configure(Action<FeedbackLoopOptions> configure)
    {
        _configure.Add(configure ?? throw new ArgumentNullException(nameof(configure)));
        return this;
    }

    /// <summary>Trains candidates with a learner that also restores its artifacts (for rollback).</summary>
    /// <typeparam name="TLearner">The learner type.</typeparam>
    /// <param name="learner">The learner, for example <c>Learners.LogisticRegression(l2: 1e-3)</c>.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseLearner<TLearner>(TLearner learner)
        where TLearner : IModelTrainer, IModelArtifactLoader
    {
        ArgumentNullException.ThrowIfNull(learner);
        return UseTrainer(learner, learner);
    }

    /// <summary>Trains candidates with the host's trainer.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <param name="loader">Restores its artifacts for rollback; optional (without it, rollback works only to models trained by this process).</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseTrainer(IModelTrainer trainer, IModelArtifactLoader? loader = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        _training = _ => (trainer, loader);
        return this;
    }

    /// <summary>
    /// Trains candidates with a trainer created from the service provider (its constructor's services are injected),
    /// once for each loop built; it also serves as the artifact loader when it implements <see cref="IModelArtifactLoader"/>.
    /// </summary>
    /// <typeparam name="TTrainer">The trainer type.</typeparam>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseTrainer<TTrainer>()
        where TTrainer : class, IModelTrainer
    {
        _training = services =>
        {
            var trainer = ActivatorUtilities.CreateInstance<TTrainer>(services);
            return (trainer, trainer as IModelArtifactLoader);
        };
        return this;
    }

    /// <summary>Replaces the in-memory event store; the store also answers the labelled-window queries.</summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="factory">Creates the store, once for each loop built, from what it knows of the loop.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseStore<TStore>(Func<LoopComponentContext, TStore> factory)
        where TStore : IEventStore, ILabelledWindowSource
    {
        ArgumentNullException.ThrowIfNull(factory);
        _store = context =>
        {
            var store = factory(context);
            return (store, store);
        };
        return this;
    }

    /// <summary>Replaces the in-memory registry with one instance (which may be shared by several loops).</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseRegistry(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return UseRegistry(_ => registry);
    }

    /// <summary>Replaces the in-memory registry with one created for the loop (from its services, name and clock).</summary>
    /// <param name="factory">Creates the registry, once for each loop built.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseRegistry(Func<LoopComponentContext, IModelRegistry> factory)
    {
        _registry = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>
    /// Keeps the loop's own state (monitors, rolling outcomes, signals, counters, the policy's clock) in
    /// <paramref name="store"/>, so that a loop built again on the same store, event store and registry resumes where
    /// the last one stopped. Without it, the state lives only as long as the loop.
    /// </summary>
    /// <param name="store">The store, normally shared with the loops built after this one.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseStateStore(ILoopStateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return UseStateStore(_ => store);
    }

    /// <summary>Keeps the loop's own state in a store created for the loop (see <see cref="UseStateStore(ILoopStateStore)"/>).</summary>
    /// <param name="factory">Creates the store, once for each loop built.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseStateStore(Func<LoopComponentContext, ILoopStateStore> factory)
    {
        _stateStore = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>
    /// Runs the loop together with its other instances (processes) on a shared store: each cycle is led by one instance,
    /// monitors what every instance recorded, and every instance serves the champion it promotes (see
    /// <see cref="ILoopCoordinator"/>; <c>UsePostgreSql</c> sets one). Without it, the loop is alone.
    /// </summary>
    /// <param name="factory">Creates the coordinator, once for each loop built.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseCoordinator(Func<LoopComponentContext, ILoopCoordinator> factory)
    {
        _coordinator = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Adds a sink that receives every recorded event, one at a time, on the loop's consumer.</summary>
    /// <param name="sink">The sink.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddSink(IFeedbackSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return AddSink(_ => sink);
    }

    /// <summary>Adds a sink created from the service provider.</summary>
    /// <param name="factory">Creates the sink.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddSink(Func<IServiceProvider, IFeedbackSink> factory)
    {
        _sinks.Add(factory ?? throw new ArgumentNullException(nameof(factory)));
        return this;
    }

    /// <summary>Adds a sink that receives the recorded events in batches, on the loop's consumer.</summary>
    /// <param name="sink">The sink.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddBatchedSink(IBatchedFeedbackSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return AddBatchedSink(_ => sink);
    }

    /// <summary>Adds a batched sink created from the service provider.</summary>
    /// <param name="factory">Creates the sink.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddBatchedSink(Func<IServiceProvider, IBatchedFeedbackSink> factory)
    {
        _batchedSinks.Add(factory ?? throw new ArgumentNullException(nameof(factory)));
        return this;
    }

    /// <summary>
    /// Adds a stage to every cycle, run after the built-in gate and before the candidate is registered and promoted: it
    /// can read the gate's verdict, add to the report, or end the cycle (<see cref="CycleContext.Finish"/>) to veto.
    /// Stages run in the order added.
    /// </summary>
    /// <param name="stage">The stage.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddCycleStage(ICycleStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return AddCycleStage(_ => stage);
    }

    /// <summary>Adds a cycle stage created from the service provider (see <see cref="AddCycleStage(ICycleStage)"/>).</summary>
    /// <param name="factory">Creates the stage, once for each loop built.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddCycleStage(Func<IServiceProvider, ICycleStage> factory)
    {
        _stages.Add(factory ?? throw new ArgumentNullException(nameof(factory)));
        return this;
    }

    /// <summary>
    /// Sets the detector on each serving model's error stream, the concept-drift monitor: for classifiers the
    /// misclassification stream (1 wrong, 0 right), for regression the absolute error |actual − predicted| in the
    /// target's units. <see cref="Adwin"/> by default for both, reporting rises of the error only
    /// (<see cref="ChangeDirection.Up"/>): it has no warm-up whose minimum can blind it (as
    /// <see cref="Ddm"/>'s can) and its cut test scales with the stream's variance; a detector with a threshold, such as
    /// <see cref="PageHinkley"/>, needs one in the stream's units.
    /// </summary>
    /// <param name="detector">Creates a detector for each model version that starts serving.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder MonitorErrors(Func<IDriftDetector> detector)
    {
        _errors = detector ?? throw new ArgumentNullException(nameof(detector));
        return this;
    }

    /// <summary>Monitors every numeric feature for drift with its own detector instance.</summary>
    /// <param name="detector">
    /// Creates one detector per feature; when omitted, <see cref="Adwin"/> with its defaults (a rise or a fall of the
    /// feature's mean): its cut test scales with the feature's variance, where a threshold such as
    /// <see cref="PageHinkley"/>'s is in the feature's own units and, at its default of 50, signals again and again on
    /// any feature whose spread is more than a few units (docs/loop-effectiveness.md measured 810 signals per run).
    /// </param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder MonitorFeatures(Func<IDriftDetector>? detector = null)
    {
        _allFeatures = detector ?? (() => new Adwin());
        return this;
    }

    /// <summary>Monitors one numeric feature for drift.</summary>
    /// <param name="feature">The numeric feature's name.</param>
    /// <param name="detector">Creates its detector.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder MonitorFeature(string feature, Func<IDriftDetector> detector)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        ArgumentNullException.ThrowIfNull(detector);
        _featureMonitors.Add((feature, detector));
        return this;
    }

    /// <summary>Sets when to retrain.</summary>
    /// <param name="policy">The policy, for example <c>Retrain.OnDrift().Or(Retrain.EveryNewLabels(5_000))</c>.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder RetrainWhen(IRetrainPolicy policy)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        return this;
    }

    /// <summary>
    /// Sets the gate a candidate must pass to become champion; by default <see cref="Gates.NoWorseThanChampion"/> on
    /// accuracy for classifiers and on RMSE for regression. A built-in gate's metrics must measure the loop's task.
    /// </summary>
    /// <param name="gate">The gate, for example <c>Gates.NoWorseThanChampion(Metric.RocAuc)</c>.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder PromoteWhen(IPromotionGate gate)
    {
        _gate = gate ?? throw new ArgumentNullException(nameof(gate));
        return this;
    }

    /// <summary>Subscribes an observer to the loop's typed notifications (trained, gated, promoted, rolled back, drift).</summary>
    /// <param name="observer">The observer.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddObserver(ILoopObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return AddObserver(_ => observer);
    }

    /// <summary>Subscribes an observer created from the service provider.</summary>
    /// <param name="factory">Creates the observer, once for each loop built.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder AddObserver(Func<IServiceProvider, ILoopObserver> factory)
    {
        _observers.Add(factory ?? throw new ArgumentNullException(nameof(factory)));
        return this;
    }

    /// <summary>Sets the router that chooses which loaded model serves each prediction.</summary>
    /// <param name="router">The router; <see cref="ChampionRouter"/> (every prediction to the champion) by default.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder RouteWith(IModelRouter router)
    {
        _router = router ?? throw new ArgumentNullException(nameof(router));
        return this;
    }

    /// <summary>Sets the clock (tests pass a fake one). Under DI the registered <see cref="TimeProvider"/> is used otherwise.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    public FeedbackLoopBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        return this;
    }

    /// <summary>Builds the loop without dependency injection.</summary>
    /// <returns>The loop; dispose it when done.</returns>
    /// <exception cref="OptionsValidationException">The configuration is invalid; the message lists every problem.</exception>
    public IFeedbackLoop Build()
    {
        var options = CreateOptions();
        var failures = Validate(options);
        return failures.Count > 0
            ? throw new OptionsValidationException(Name, typeof(FeedbackLoopOptions), failures)
            : Build(EmptyServiceProvider.Instance, options);
    }

    internal void ApplyOptions(FeedbackLoopOptions options) => _configure.ForEach(configure => configure(options));

    internal List<string> Validate(FeedbackLoopOptions options)
    {
        var failures = FeedbackLoopOptionsValidator.Failures(options).ToList();
        if (_schema is null)
        {
            failures.Add("No feature schema: call WithSchema(...).");
            return failures;
        }

        foreach (var metric in IReadsMetrics.Of(_gate).Where(m => !m.Supports(_task.Kind)))
        {
            failures.Add($"PromoteWhen(...): the gate reads {metric.Name}, which does not measure {_task} models.");
        }

        var rolling = RollingOutcomes.MetricsOf(_task);
        foreach (var metric in IReadsMetrics.Of(_policy).Where(m => !rolling.Contains(m)))
        {
            failures.Add(
                $"RetrainWhen(...): the policy reads the rolling {metric.Name}, which a {_task} loop does not compute (it computes {string.Join(", ", rolling.Select(m => m.Name))}).");
        }

        foreach (var (name, _) in _featureMonitors)
        {
            if (!_schema.TryGetFeature(name, out var feature))
            {
                failures.Add($"MonitorFeature('{name}'): the feature is not in the schema.");
            }
            else if (feature.Kind != FeatureKind.Numeric)
            {
                failures.Add($"MonitorFeature('{name}'): the feature is categorical; streaming detectors monitor numeric features.");
            }
        }

        return failures;
    }

    internal IFeedbackLoop Build(IServiceProvider services, FeedbackLoopOptions options)
    {
        var schema = _schema!;
        var (trainer, loader) = _training?.Invoke(services) ?? DefaultLearner(_task);
        var monitored = _featureMonitors.Select(m => (Feature: schema.GetFeature(m.Name), m.Factory)).ToList();
        if (_allFeatures is { } all)
        {
            monitored.AddRange(schema.NumericFeatures.Select(feature => (feature, all)));
        }

        var time = _time ?? services.GetService<TimeProvider>() ?? TimeProvider.System;
        var context = new LoopComponentContext(services, Name, schema, _task, options, time);
        try
        {
            return Build(services, options, context, schema, trainer, loader, monitored, time);
        }
        catch
        {
            // A component handed over before a later one failed belongs to no loop: release it here.
            foreach (var component in context.Owned)
            {
                if (component is IDisposable disposable)
                {
                    disposable.Dispose();
                }
                else if (component is IAsyncDisposable asynchronous)
                {
                    asynchronous.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }

            throw;
        }
    }

    private FeedbackLoopEngine Build(
        IServiceProvider services,
        FeedbackLoopOptions options,
        LoopComponentContext context,
        FeatureSchema schema,
        IModelTrainer trainer,
        IModelArtifactLoader? loader,
        List<(FeatureDefinition Feature, Func<IDriftDetector> Factory)> monitored,
        TimeProvider time)
    {
        var (store, window) = _store?.Invoke(context) ?? InMemoryStore(options, schema);
        return new FeedbackLoopEngine(new FeedbackLoopComponents(
            Name,
            schema,
            _task,
            options,
            time,
            store,
            window,
            _registry?.Invoke(context) ?? new InMemoryModelRegistry(time),
            _stateStore?.Invoke(context) ?? new InMemoryLoopStateStore(),
            _coordinator?.Invoke(context),
            trainer,
            loader,
            _policy,
            _gate ?? (_task.Kind == ModelTaskKind.Regression ? Gates.NoWorseThanChampion(Metric.RootMeanSquaredError) : Gates.SignificantlyMoreAccurateThanChampion()),
            _router,
            [.. _stages.Select(stage => stage(services))],
            [.. _observers.Select(observer => observer(services))],
            [.. _sinks.Select(sink => sink(services))],
            [.. _batchedSinks.Select(sink => sink(services))],
            [.. monitored.DistinctBy(m => m.Feature.Name)],
            _errors,
            services.GetService<IMeterFactory>(),
            services.GetService<ILoggerFactory>()?.CreateLogger("FeedbackLoop") ?? NullLogger.Instance,
            context.Owned));
    }

    /// <summary>The built-in learner of the task: logistic regression, softmax regression or ridge regression.</summary>
    private static (IModelTrainer, IModelArtifactLoader?) DefaultLearner(ModelTask task)
    {
        return task.Kind switch
        {
            ModelTaskKind.Multiclass => Both(Learners.SoftmaxRegression()),
            ModelTaskKind.Regression => Both(Learners.RidgeRegression()),
            _ => Both(Learners.LogisticRegression()),
        };

        static (IModelTrainer, IModelArtifactLoader?) Both<TLearner>(TLearner learner)
            where TLearner : IModelTrainer, IModelArtifactLoader => (learner, learner);
    }

    private static (IEventStore, ILabelledWindowSource) InMemoryStore(FeedbackLoopOptions options, FeatureSchema schema)
    {
        var store = new InMemoryEventStore(options.Store, schema);
        return (store, store);
    }

    private FeedbackLoopOptions CreateOptions()
    {
        var options = new FeedbackLoopOptions();
        ApplyOptions(options);
        return options;
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
