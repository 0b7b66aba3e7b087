using System.Diagnostics;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;

namespace FeedbackLoop.Simulation.Prequential;

/// <summary>Replays through a real feedback loop (see <see cref="PrequentialStrategy.Loop"/>).</summary>
internal sealed class LoopStrategy(string name, Func<SimulatedClock, IFeedbackLoop> build) : PrequentialStrategy(name)
{
    internal override async Task<PrequentialRun> RunAsync(PrequentialReplay replay, CancellationToken cancellationToken)
    {
        var clock = new SimulatedClock();
        var start = clock.GetUtcNow();
        await using var loop = build(clock);
        await loop.SeedAsync(replay.ToTrainingSet(replay.History, "history"), new AliasChange("prequential", "first model from the history"), cancellationToken).ConfigureAwait(false);
        var samples = replay.Samples;
        var ids = new PredictionId[samples.Count];
        var scores = new double[samples.Count];
        var changes = new List<long>();
        var signals = new SortedSet<long>();
        var cycles = new List<PrequentialCycle>();
        var (trainings, used, time) = (0, 0L, TimeSpan.Zero);
        var effects = new PromotionEffects(replay);
        for (var i = 0; i < samples.Count; i++)
        {
            // Prediction i is made at second i of the replay, so a signal's time says which prediction raised it.
            var prediction = loop.Predict(samples[i].Features);
            ids[i] = prediction.Id;
            scores[i] = replay.Score(prediction.Output, samples[i]);
            effects.Predicted(i, scores[i]);
            if (replay.LabelArrivingAfter(i) is var arrived and >= 0)
            {
                loop.RecordFeedback(Feedback.GroundTruth(ids[arrived], samples[arrived].Label));
            }

            clock.Advance(TimeSpan.FromSeconds(1));
            if ((i + 1) % replay.Options.CycleEvery != 0 && !await IsCycleDueAsync(loop, i, replay.Options, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            var serving = loop.Champion;
            var report = await loop.RunCycleAsync(cancellationToken).ConfigureAwait(false);
            foreach (var signal in report.Observed.DriftSignals.Where(s => s.State == Drift.DriftState.Drift))
            {
                signals.Add((long)(signal.DetectedAt - start).TotalSeconds);
            }

            if (report.TrainingExamples > 0)
            {
                trainings++;
                used += report.TrainingExamples + report.HoldoutExamples;
                time += Stopwatch.GetElapsedTime(started);
            }

            if (report.Outcome == CycleOutcome.Promoted)
            {
                changes.Add(i + 1);
                effects.Changed(i + 1, await loop.LoadVersionAsync(serving!.Version, cancellationToken).ConfigureAwait(false));
            }

            if (report.Outcome != CycleOutcome.NoAction)
            {
                cycles.Add(new PrequentialCycle(i, report));
            }
        }

        return new PrequentialRun(Name, scores, changes, [.. signals], trainings, used, time, cycles) { Promotions = effects.Effects };
    }

    /// <summary>
    /// Whether the loop asks for a cycle before its schedule (<see cref="IFeedbackLoop.WhenCycleDueAsync"/>), looked at every
    /// <see cref="PrequentialOptions.DueCheckEvery"/> predictions after a flush, so the replay does not depend on the consumer's timing.
    /// </summary>
    private static async Task<bool> IsCycleDueAsync(IFeedbackLoop loop, int step, PrequentialOptions options, CancellationToken cancellationToken)
    {
        if ((step + 1) % options.DueCheckEvery != 0)
        {
            return false;
        }

        await loop.FlushAsync(cancellationToken).ConfigureAwait(false);
        return loop.WhenCycleDueAsync(cancellationToken).IsCompleted;
    }
}
