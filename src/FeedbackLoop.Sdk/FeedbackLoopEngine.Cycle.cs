using System.Globalization;
using FeedbackLoop.Drift;
using FeedbackLoop.Models;
using FeedbackLoop.Pipeline;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>One cycle: observe, decide, train, gate, register, promote. Every stage that a plug-in runs is contained.</summary>
internal sealed partial class FeedbackLoopEngine
{
    private async Task<CycleReport> ExecuteCycleAsync(long cycle, CancellationToken cancellationToken)
    {
        // The cycle sees every event recorded before it.
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var live = Volatile.Read(ref _live);
        var report = new CycleReport(
            cycle, now, TimeSpan.Zero, EmptyObservation, RetrainDecision.Skip("not evaluated"), CycleOutcome.NoAction, 0, 0, null, null, live?.Version, null);
        int expired;
        EventStoreStatistics stored;
        try
        {
            expired = await _store.ExpireAsync(now, cancellationToken).ConfigureAwait(false);
            stored = await _store.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            return Fail(report, "store", exception);
        }

        if (expired > 0)
        {
            _instruments.OrphansExpiredBy(expired);
        }

        var signals = _monitors.Signals();
        var labels = _monitors.LabelsSinceTraining;
        var observed = new CycleObservation(
            stored.Predictions,
            _pipeline.FeedbackAccepted,
            labels,
            expired,
            stored.OrphansPending,
            _failures.TakeFailures(),
            _monitors.Metrics(),
            signals);
        report = report with { Observed = observed };

        RetrainDecision decision;
        try
        {
            decision = live is null
                ? RetrainDecision.Retrain("no champion yet")
                : _policy.Evaluate(new RetrainContext(now, _startedAt, _lastTrainedAt, labels, signals, observed.Metrics));
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            return Fail(report, "retrain policy", exception);
        }

        report = report with { Decision = decision };
        if (!decision.ShouldRetrain)
        {
            return report;
        }

        var drift = _options.TrainSinceDrift ? signals.LastOrDefault(s => s.State == DriftState.Drift) : null;
        List<LabelledExample> window;
        try
        {
            window = await ReadWindowAsync(new LabelledWindowQuery { From = drift?.DetectedAt, MaxCount = _options.TrainingWindowSize }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            return Fail(report, "store", exception);
        }

        if (window.Count < _options.MinimumTrainingExamples)
        {
            var since = drift is null ? string.Empty : Invariant($" since the drift at {drift.DetectedAt:O}");
            return report with
            {
                Outcome = CycleOutcome.Deferred,
                Decision = decision with { Reason = Invariant($"{decision.Reason}; deferred: {window.Count} of {_options.MinimumTrainingExamples} labelled examples{since}") },
            };
        }

        // The newest examples are held out: the gate then asks which model is better on the data the loop sees now.
        var holdoutCount = Math.Clamp((int)Math.Round(window.Count * _options.HoldoutFraction), 1, window.Count - 1);
        var training = window.Take(window.Count - holdoutCount).ToArray();
        var holdout = window.Skip(training.Length).ToArray();
        report = report with { TrainingExamples = training.Length, HoldoutExamples = holdout.Length };

        _lastTrainedAt = now;
        TrainedModel model;
        try
        {
            model = await _trainer.TrainAsync(new TrainingData(Schema, training), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            return Fail(report, "trainer", exception);
        }

        _instruments.Retrained();
        _monitors.ConsumeLabels(labels);
        _monitors.ConsumeSignals(signals);

        GateResult gate;
        try
        {
            gate = await _gate.EvaluateAsync(new GateContext(model.Predictor, live?.Predictor, holdout), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            return Fail(report, "gate", exception);
        }

        report = report with { Gate = gate };
        try
        {
            var lineage = Lineage(live?.Version, decision, training, holdout.Length, gate);
            var candidate = await _registry.RegisterAsync(
                new ModelRegistration(Name, model.Artifact, model.Description, gate.CandidateMetrics, lineage), cancellationToken).ConfigureAwait(false);
            await _registry.SetAliasAsync(Name, ModelAliases.Challenger, candidate.Version, cancellationToken).ConfigureAwait(false);
            report = report with { Candidate = candidate };
            if (!gate.Passed)
            {
                _instruments.GateRejected();
                return report with { Outcome = CycleOutcome.Rejected };
            }

            await _registry.SetAliasAsync(Name, ModelAliases.Champion, candidate.Version, cancellationToken).ConfigureAwait(false);
            GoLive(candidate, model.Predictor);
            return report with { Outcome = CycleOutcome.Promoted, Champion = candidate };
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            return Fail(report, "registry", exception);
        }
    }

    private static readonly CycleObservation EmptyObservation = new(0, 0, 0, 0, 0, 0, new Dictionary<string, double>(), []);

    private static bool IsFailure(Exception exception, CancellationToken cancellationToken) =>
        !FailureContainment.IsCancellation(exception, cancellationToken);

    private async Task<List<LabelledExample>> ReadWindowAsync(LabelledWindowQuery query, CancellationToken cancellationToken)
    {
        List<LabelledExample> window = [];
        await foreach (var example in _window.ReadLabelledAsync(query, cancellationToken).ConfigureAwait(false))
        {
            window.Add(example);
        }

        return window;
    }

    private static Dictionary<string, string> Lineage(
        ModelVersion? parent, RetrainDecision decision, LabelledExample[] training, int holdout, GateResult gate)
    {
        var lineage = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reason"] = decision.Reason,
            ["training.examples"] = Invariant($"{training.Length}"),
            ["training.from"] = Invariant($"{training[0].Prediction.Timestamp:O}"),
            ["training.to"] = Invariant($"{training[^1].Prediction.Timestamp:O}"),
            ["holdout.examples"] = Invariant($"{holdout}"),
            ["gate"] = gate.ToString(),
        };
        if (parent is not null)
        {
            lineage["parent"] = Invariant($"{parent.Version}");
        }

        return lineage;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private CycleReport Fail(CycleReport report, string stage, Exception exception)
    {
        _instruments.Failed("cycle");
        Log.CycleFailed(_logger, exception, Name, report.Cycle, stage);
        return report with { Outcome = CycleOutcome.Failed, Failure = $"{stage} failed: {exception.GetType().Name}: {exception.Message}" };
    }
}
