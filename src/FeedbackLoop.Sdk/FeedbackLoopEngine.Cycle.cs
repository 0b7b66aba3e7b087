using System.Globalization;
using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Notifications;
using FeedbackLoop.Pipeline;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>
/// One cycle: an ordered list of stages over one <see cref="CycleContext"/> — observe, decide, window, train, gate, the
/// host's stages, register, promote — with one failure handler, then one commit of the loop's state from the final report.
/// </summary>
internal sealed partial class FeedbackLoopEngine
{
    private const string LoopActor = "feedback-loop";

    /// <summary>The lineage key of how many examples a registered model learned from.</summary>
    private const string TrainingExamplesKey = "training.examples";

    /// <summary>The lineage key of the drift a registered model's training window starts after (see <see cref="TrainedSince"/>).</summary>
    private const string TrainingSinceKey = "training.since";

    /// <summary>The lineage key of the time of the first prediction a registered model's training window holds.</summary>
    private const string TrainingFromKey = "training.from";

    private static readonly CycleObservation EmptyObservation = new(0, 0, 0, 0, 0, 0, 0, new Dictionary<string, double>(), []);

    /// <summary>
    /// A cycle's stages around those that produce its candidate: decide, window and train for the loop's own cycles, the
    /// holdout of a challenge for a candidate the host submits.
    /// </summary>
    private ICycleStage[] CreateStages(params ICycleStage[] candidate) =>
    [
        .. _coordinator is null ? Array.Empty<ICycleStage>() : [new Stage("lead", LeadAsync)],
        new Stage("observe", ObserveAsync),
        .. candidate,
        new Stage("gate", GateAsync),
        .. _hostStages,
        new Stage("register", RegisterAsync),
        new Stage("promote", PromoteCandidateAsync),
    ];

    private async Task<CycleReport> ExecuteCycleAsync(long cycle, ICycleStage[] stages, Challenge? challenge, CancellationToken cancellationToken)
    {
        try
        {
            return await RunStagesAsync(cycle, stages, challenge, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also when the cycle was cancelled: a lead kept would stop every instance's cycles.
            await ReleaseLeadAsync().ConfigureAwait(false);
        }
    }

    private async Task<CycleReport> RunStagesAsync(long cycle, ICycleStage[] stages, Challenge? challenge, CancellationToken cancellationToken)
    {
        // The cycle sees every event recorded before it.
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
        var champion = Volatile.Read(ref _serving).Champion;
        var context = new CycleContext(Name, new CycleReport(
            cycle, _time.GetUtcNow(), TimeSpan.Zero, EmptyObservation, RetrainDecision.Skip("not evaluated"), CycleOutcome.NoAction, 0, 0, null, null, champion?.Version, null))
        {
            Champion = champion?.Predictor,
        };
        if (challenge is not null)
        {
            context.Candidate = challenge.Candidate;
            context.Report = context.Report with { Decision = RetrainDecision.Retrain(challenge.Reason) };
        }

        foreach (var stage in stages)
        {
            if (context.IsFinished)
            {
                break;
            }

            try
            {
                await stage.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!FailureContainment.IsCancellation(exception, cancellationToken))
            {
                _instruments.Failed("cycle");
                Log.CycleFailed(_logger, exception, Name, cycle, stage.Name);
                context.Report = context.Report with { Failure = $"{stage.Name} failed: {exception.GetType().Name}: {exception.Message}" };
                context.Finish(CycleOutcome.Failed);
            }
        }

        var report = context.Report with { Champion = Champion };
        if (_coordinator is not null && (_lease is null || !await StillLeadingAsync().ConfigureAwait(false)))
        {
            // Led by another instance, or the lead could not be taken or was lost: this instance's state is not the loop's.
            return report;
        }

        Commit(report, challenge is not null);

        // The commit has happened (a promotion may be live): its state is saved even if the cycle's token is cancelled
        // now, and before a shared loop's lead is released.
        await SaveStateAsync(CancellationToken.None).ConfigureAwait(false);
        return report;
    }

    /// <summary>
    /// The one place a cycle changes the loop's state, from its final report: a candidate that was judged (promoted or
    /// rejected) consumes the labels and drift signals the cycle observed and starts the policy's clock; a cycle that
    /// failed or deferred leaves them for the next one. A challenge (a candidate the loop did not train) consumes them
    /// only when its candidate is promoted: a rejected one leaves them to the loop's own retrain. A rejected candidate
    /// trained since a drift consumes the signals but leaves the labels counted: it learned only the labels since the
    /// drift, the champion is as old as before, and a retrain on a count of new labels stays as due as it was.
    /// </summary>
    private void Commit(CycleReport report, bool challenge)
    {
        if (report.Outcome == CycleOutcome.Promoted || (report.Outcome == CycleOutcome.Rejected && !challenge))
        {
            _lastTrainedAt = report.StartedAt;
            var sinceDrift = WindowDrift(report);
            if (report.Outcome == CycleOutcome.Promoted || sinceDrift is null)
            {
                _monitors.ConsumeLabels(report.Observed.LabelsSinceLastTraining);
            }

            _monitors.ConsumeSignals(report.Observed.DriftSignals);
            foreach (var signal in report.Observed.DriftSignals)
            {
                if (signal.State == DriftState.Drift && (_latestDriftAt is null || signal.DetectedAt > _latestDriftAt))
                {
                    _latestDriftAt = signal.DetectedAt;
                }
            }

            // A candidate trained since a drift learned the new concept from few labels: promoted, it is the best model
            // for now but a weak one; rejected, it could not yet beat the champion. Either way the drift asks again once
            // as many more labels have joined (the window doubles) or half a window has, whichever comes first, until
            // the newest full window has left the first window after the drift behind and the schedule takes over: a
            // gradual or incremental change is often still under way for the first labels after its signal, and a
            // model of the transition would otherwise serve until the schedule's next retrain.
            var examples = report.TrainingExamples + report.HoldoutExamples;
            if (!challenge && _windowInTransition && sinceDrift is { } drift)
            {
                _monitors.RetryAfter(drift, Math.Min(examples, _options.TrainingWindowSize / 2));
            }
        }
    }

    private async ValueTask ObserveAsync(CycleContext context, CancellationToken cancellationToken)
    {
        var expired = await _store.ExpireAsync(context.Report.StartedAt, cancellationToken).ConfigureAwait(false);
        var stored = await _store.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
        if (expired > 0)
        {
            _instruments.OrphansExpiredBy(expired);
        }

        context.Report = context.Report with
        {
            Observed = new CycleObservation(
                stored.Predictions,
                _pipeline.FeedbackAccepted,
                _monitors.LabelsSinceTraining,
                expired,
                stored.OrphansPending,
                _failures.TakeFailures(),
                _pipeline.TakeStoreFailures(),
                _monitors.Metrics(),
                _monitors.Signals()),
        };
    }

    private ValueTask DecideAsync(CycleContext context, CancellationToken cancellationToken)
    {
        var observed = context.Report.Observed;
        var decision = context.Champion is null
            ? RetrainDecision.Retrain("no champion yet")
            : _policy.Evaluate(new RetrainContext(
                context.Report.StartedAt, _startedAt, _lastTrainedAt, observed.LabelsSinceLastTraining, observed.DriftSignals, observed.Metrics));
        context.Report = context.Report with { Decision = decision };
        if (!decision.ShouldRetrain)
        {
            context.Finish(CycleOutcome.NoAction);
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask ReadWindowAsync(CycleContext context, CancellationToken cancellationToken)
    {
        var drift = WindowDrift(context.Report);
        // Since a drift, up to two windows of labels are read and the newest window trained on: while fewer have joined,
        // that window still holds labels of the first one after the drift, which a gradual or incremental change may
        // still have been moving through, and the drift is retried (see Commit).
        var size = _options.TrainingWindowSize;
        var window = await ReadAllAsync(new LabelledWindowQuery { From = drift?.DetectedAt, MaxCount = drift is null ? size : 2 * size }, cancellationToken)
            .ConfigureAwait(false);
        _windowInTransition = drift is not null && window.Count < 2 * size;
        if (window.Count > size)
        {
            window = window[^size..];
        }

        if (drift is null && _options.TrainSinceDrift && _latestDriftAt is { } latest
            && window.Count == _options.TrainingWindowSize && _options.StableTrainingWindowSize > _options.TrainingWindowSize)
        {
            window = await StableWindowAsync(latest, window, cancellationToken).ConfigureAwait(false);
        }
        if (window.Count < _options.MinimumTrainingExamples)
        {
            var since = drift is null ? string.Empty : Invariant($" since the drift at {drift.DetectedAt:O}");
            context.Finish(CycleOutcome.Deferred, Invariant($"deferred: {window.Count} of {_options.MinimumTrainingExamples} labelled examples{since}"));
            return;
        }

        // The newest examples are held out: the gate then asks which model is better on the data the loop sees now.
        var holdoutCount = Math.Min(HoldoutCount(window.Count), window.Count - 1);
        context.Training = window[..^holdoutCount];
        context.Holdout = window[^holdoutCount..];
        context.Report = context.Report with { TrainingExamples = context.Training.Count, HoldoutExamples = holdoutCount };
    }

    /// <summary>How many of a window's newest examples the gate judges on: <c>HoldoutFraction</c> of them, at least one.</summary>
    private int HoldoutCount(int window) => Math.Max(1, (int)Math.Round(window * _options.HoldoutFraction));

    /// <summary>A challenge's holdout: the labelled predictions the host names, or the newest ones a cycle holds out.</summary>
    private async ValueTask ReadHoldoutAsync(CycleContext context, LabelledWindowQuery? query, CancellationToken cancellationToken)
    {
        var holdout = await ReadAllAsync(query ?? new LabelledWindowQuery { MaxCount = HoldoutCount(_options.TrainingWindowSize) }, cancellationToken)
            .ConfigureAwait(false);
        if (holdout.Count == 0)
        {
            context.Finish(CycleOutcome.Deferred, "deferred: no labelled prediction to judge the challenger on");
            return;
        }

        context.Holdout = holdout;
        context.Report = context.Report with { HoldoutExamples = holdout.Count };
    }

    private async ValueTask TrainAsync(CycleContext context, CancellationToken cancellationToken)
    {
        context.Candidate = await TrainOnAsync(context, context.Training, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TrainedModel> TrainOnAsync(CycleContext context, IReadOnlyList<LabelledExample> examples, CancellationToken cancellationToken)
    {
        var training = TrainingSet.CreateBuilder(Schema, Task);
        foreach (var example in examples)
        {
            training.Add(example.Prediction.Features, example.Label, source: "feedback");
        }

        var model = await TrainCandidateAsync(training.Build(), cancellationToken).ConfigureAwait(false);
        Publish(new ModelTrained(Name, _time.GetUtcNow(), context.Report.Cycle, model.Description, examples.Count));
        return model;
    }

    private async ValueTask GateAsync(CycleContext context, CancellationToken cancellationToken)
    {
        var gateContext = new GateContext(context.Candidate!.Predictor, context.Champion, context.Holdout, Task)
        {
            CandidateExtendsChampion = ExtendsChampion(context),
        };
        var gate = await _gate.EvaluateAsync(gateContext, cancellationToken).ConfigureAwait(false);
        context.Report = context.Report with { Gate = gate };
        Publish(new CandidateGated(Name, _time.GetUtcNow(), context.Report.Cycle, gate));
    }

    private async ValueTask RegisterAsync(CycleContext context, CancellationToken cancellationToken)
    {
        var report = context.Report;

        // A candidate that passed is trained again on the whole window, holdout included, before it is registered: the
        // gate judged the recipe on data the candidate had not seen, and the served model then learns from the newest
        // labels too (as scikit-learn's search estimators refit on all the data after choosing). Host stages have seen
        // the judged candidate; the registered model and its lineage are the refitted one.
        var refitted = _options.RefitAfterGate && report.Gate!.Passed && context.Training.Count > 0;
        if (refitted)
        {
            context.Candidate = await TrainOnAsync(context, [.. context.Training, .. context.Holdout], cancellationToken).ConfigureAwait(false);
        }

        await EnsureLeadingAsync(cancellationToken).ConfigureAwait(false);
        var model = context.Candidate!;
        var lineage = Lineage(report.Champion, report.Decision, context, refitted, TrainedSince(context));
        var candidate = await _registry.RegisterAsync(Registration(model, report.Gate!.CandidateMetrics, lineage), cancellationToken).ConfigureAwait(false);
        await _registry.SetAliasAsync(Name, ModelAliases.Challenger, candidate.Version, Change(report, "candidate"), cancellationToken).ConfigureAwait(false);
        context.Registered = candidate;
        context.Report = report with { Candidate = candidate };
        if (!report.Gate.Passed)
        {
            context.Finish(CycleOutcome.Rejected);
        }
    }

    private async ValueTask PromoteCandidateAsync(CycleContext context, CancellationToken cancellationToken)
    {
        var candidate = context.Registered!;
        var change = Change(context.Report, "promoted");

        // A candidate trained on schedule, not after a drift, or since the drift its champion was trained after, replaces
        // a model of the same concept: its error detector continues the old one's, so a change that lands on the
        // promotion is not taken for the new model's baseline.
        var sameConcept = !context.Report.Observed.DriftSignals.Any(s => s.State == DriftState.Drift) || ContinuesChampion(context);
        var promoted = await SwapAsync<bool>(async () =>
        {
            // The gate compared the candidate with the champion of the cycle's start; a rollback or a manual promotion
            // since then is the host's decision, and an unjudged candidate must not overwrite it. A shared loop checks,
            // right before the move, that it still leads and that no other instance moved the alias meanwhile.
            var unmoved = Champion?.Version == context.Report.Champion?.Version
                && (_coordinator is null || await ChampionAliasUnmovedAsync(context.Report.Champion, cancellationToken).ConfigureAwait(false));
            return unmoved
                ? (true, await MakeChampionAsync(candidate, context.Candidate!.Predictor, change, cancellationToken, carryErrorBaseline: sameConcept).ConfigureAwait(false))
                : (false, null);
        }, cancellationToken).ConfigureAwait(false);
        if (promoted)
        {
            context.Finish(CycleOutcome.Promoted);
        }
        else
        {
            context.Finish(CycleOutcome.Rejected, "the champion changed during the cycle (rolled back or promoted); the candidate was gated against another model");
        }
    }

    /// <summary>Trains with the loop's trainer and loads the artifact back once: a model whose artifact does not restore is never registered (it could not be rolled back to or reloaded after a restart).</summary>
    private async Task<TrainedModel> TrainCandidateAsync(TrainingSet data, CancellationToken cancellationToken)
    {
        var model = await _trainer.TrainAsync(data, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The trainer returned no model.");
        return CandidateProblem(model) is { } problem
            ? throw new InvalidOperationException($"The trainer returned a model that cannot be a candidate: {problem}.")
            : model;
    }

    /// <summary>
    /// A scheduled retrain's window once the concept has been stable: the labels since the latest drift the loop retrained
    /// for, without the first full window after it (a gradual or incremental change is often still under way when it is
    /// signalled, and the drift retrains have learned from those labels already), the newest up to
    /// <see cref="FeedbackLoopOptions.StableTrainingWindowSize"/>; the default window when that leaves no more labels.
    /// Periodic retraining on a fixed window keeps a model's variance where it was; a stable concept's model improves
    /// with every label it is given.
    /// </summary>
    private async Task<List<LabelledExample>> StableWindowAsync(DateTimeOffset latestDrift, List<LabelledExample> window, CancellationToken cancellationToken)
    {
        var skipped = _options.TrainingWindowSize;
        var since = await ReadAllAsync(
            new LabelledWindowQuery { From = latestDrift, MaxCount = (int)Math.Min(int.MaxValue, (long)_options.StableTrainingWindowSize + skipped) },
            cancellationToken).ConfigureAwait(false);

        // Either every label since the drift was read, and the first full window after it is dropped, or the newest
        // StableTrainingWindowSize + skipped were, and dropping the oldest leaves the newest StableTrainingWindowSize.
        return since.Count - skipped > window.Count ? since[skipped..] : window;
    }

    /// <summary>
    /// The drift a retrain trains since: the first one signalled since the last training. A change often makes a
    /// detector signal several times in a row (ADWIN cuts its window again as the new concept fills it), and training
    /// only since the last of those would throw away labels of the new concept and defer the retrain.
    /// </summary>
    private static DriftSignal? TrainingDrift(IReadOnlyList<DriftSignal> signals) => signals.FirstOrDefault(s => s.State == DriftState.Drift);

    /// <summary>The drift a cycle's window is read since (<see cref="TrainingDrift"/>), when the loop trains since drifts.</summary>
    private DriftSignal? WindowDrift(CycleReport report) => _options.TrainSinceDrift ? TrainingDrift(report.Observed.DriftSignals) : null;

    private static AliasChange Change(CycleReport report, string what) =>
        new(LoopActor, Invariant($"cycle {report.Cycle}: {what}; {report.Decision.Reason}"));

    private async Task<List<LabelledExample>> ReadAllAsync(LabelledWindowQuery query, CancellationToken cancellationToken)
    {
        List<LabelledExample> window = [];
        await foreach (var example in _window.ReadLabelledAsync(query, cancellationToken).ConfigureAwait(false))
        {
            window.Add(example);
        }

        return window;
    }

    /// <summary>Where a registered model came from; the training keys describe what the registered model learned from (the whole window when refitted).</summary>
    private static Dictionary<string, string> Lineage(ModelVersion? parent, RetrainDecision decision, CycleContext context, bool refitted, DateTimeOffset? since)
    {
        var (training, holdout) = (context.Training, context.Holdout);
        var lineage = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reason"] = decision.Reason,
            ["holdout.examples"] = Invariant($"{holdout.Count}"),
            ["gate"] = context.Report.Gate!.ToString(),
        };
        if (training.Count == 0)
        {
            lineage["promotion"] = "challenge";
        }
        else
        {
            var learned = refitted ? holdout[^1] : training[^1];
            lineage[TrainingExamplesKey] = Invariant($"{training.Count + (refitted ? holdout.Count : 0)}");
            lineage[TrainingFromKey] = Invariant($"{training[0].Prediction.Timestamp:O}");
            if (since is { } drift)
            {
                lineage[TrainingSinceKey] = Invariant($"{drift:O}");
            }
            lineage["training.to"] = Invariant($"{learned.Prediction.Timestamp:O}");
        }

        if (refitted)
        {
            lineage["gated.examples"] = Invariant($"{training.Count}");
        }

        if (parent is not null)
        {
            lineage["parent"] = Invariant($"{parent.Version}");
        }

        return lineage;
    }

    /// <summary>
    /// The drift a candidate's window starts after: the drift it was read since, or the latest the loop retrained for when
    /// the whole window is newer than it; <see langword="null"/> when the window reaches back before every drift the loop
    /// knows (or it knows none).
    /// </summary>
    private DateTimeOffset? TrainedSince(CycleContext context)
    {
        var since = WindowDrift(context.Report)?.DetectedAt ?? _latestDriftAt;
        return since is { } drift && context.Training.Count > 0 && context.Training[0].Prediction.Timestamp >= drift ? drift : null;
    }

    /// <summary>How many examples the registered model learns from: the training set, and the holdout when refitted after the gate.</summary>
    private int LearnedExamples(CycleContext context) => context.Training.Count + (_options.RefitAfterGate ? context.Holdout.Count : 0);

    /// <summary>
    /// Whether the candidate learns from labels of the champion's concept: the champion's lineage says it learned from
    /// labels since a drift, and the candidate's window starts after that drift or a later one. Read from the champion's
    /// lineage, so it holds after a restart and across instances.
    /// </summary>
    private bool ContinuesChampion(CycleContext context) =>
        TrainedSince(context) is { } since && ChampionTime(context, TrainingSinceKey) is { } championSince && since >= championSince;

    /// <summary>
    /// Whether the candidate continues the champion's concept on more labels than it learned from
    /// (<see cref="GateContext.CandidateExtendsChampion"/>), or, while the labels since the drift are still fewer than two
    /// windows (<see cref="_windowInTransition"/>), on as many whose window starts later: a gradual or incremental change
    /// is still moving then, and the fresher window is the nearer to where it settles.
    /// </summary>
    private bool ExtendsChampion(CycleContext context)
    {
        if (!ContinuesChampion(context)
            || !context.Report.Champion!.Lineage.TryGetValue(TrainingExamplesKey, out var count)
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var championExamples))
        {
            return false;
        }

        var learned = LearnedExamples(context);
        return learned > championExamples
            || (learned == championExamples && _windowInTransition
                && ChampionTime(context, TrainingFromKey) is { } championFrom && context.Training[0].Prediction.Timestamp > championFrom);
    }

    /// <summary>A time the champion's lineage records under <paramref name="key"/>, or <see langword="null"/> when it records none it can read.</summary>
    private static DateTimeOffset? ChampionTime(CycleContext context, string key) =>
        context.Report.Champion?.Lineage is { } lineage && lineage.TryGetValue(key, out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A model the host submits to a cycle's gate (<see cref="ChallengeAsync"/>), and the reason the cycle reports.</summary>
    private sealed record Challenge(TrainedModel Candidate, string Reason);

    /// <summary>A built-in stage: a named step of the engine.</summary>
    private sealed class Stage(string name, Func<CycleContext, CancellationToken, ValueTask> execute) : ICycleStage
    {
        public string Name { get; } = name;

        public ValueTask ExecuteAsync(CycleContext context, CancellationToken cancellationToken) => execute(context, cancellationToken);
    }
}
