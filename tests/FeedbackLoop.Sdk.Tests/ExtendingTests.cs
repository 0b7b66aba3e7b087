using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Promotion;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

/// <summary>The extension points docs/extending.md describes: a host's own detector and sink, plugged in through the builder.</summary>
public class ExtendingTests
{
    [Fact]
    public async Task Builder_HostDetectorAndSink_ArePluggedIntoTheLoop()
    {
        var time = new SimulatedClock();
        var sink = new RecordingSink();
        var trainer = new ScriptedTrainer(_ => new ThresholdModel(0.5).ToTrainedModel());
        using var loop = LoopHarness.Builder(time)
            .UseTrainer(trainer, trainer)
            .MonitorFeature("x2", () => new AboveLimitDetector(limit: 10.0, patience: 3))
            .AddSink(sink)
            .RetrainWhen(Retrain.OnDrift())
            .PromoteWhen(Gates.NoWorseThanChampion(Metric.Accuracy)) // the candidate ties the champion on the post-drift holdout
            .Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), CancellationToken.None);

        LoopHarness.Traffic(loop, time, 100);
        (await loop.RunCycleAsync(CancellationToken.None)).Outcome.Should().Be(CycleOutcome.NoAction);

        for (var i = 0; i < 100; i++)
        {
            var prediction = loop.Predict(Events.Vector(x1: 0.6, x2: 50.0));
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, true));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var report = await loop.RunCycleAsync(CancellationToken.None);

        sink.Predictions.Should().HaveCount(200);
        sink.Feedback.Should().HaveCount(200).And.OnlyContain(f => f.Outcome == FeedbackLoop.Storage.EventOutcome.Joined);
        report.Observed.DriftSignals.Select(s => (s.Monitor, s.State, s.Observation)).Should().Equal(
            ("feature:x2", DriftState.Warning, 101L),
            ("feature:x2", DriftState.Drift, 103L));
        report.Decision.Reason.Should().Contain("feature:x2");
        report.Outcome.Should().Be(CycleOutcome.Promoted);
        trainer.LastData!.Numeric(1).ToArray().Should().OnlyContain(x2 => x2 == 50.0, "a drift-triggered retrain learns from data since the drift");
    }

    /// <summary>A host's own detector: drift after <c>patience</c> consecutive values above <c>limit</c>.</summary>
    private sealed class AboveLimitDetector(double limit, int patience) : IDriftDetector
    {
        private int _run;

        public DriftState State { get; private set; }

        public DriftState Update(double value)
        {
            _run = value > limit ? _run + 1 : 0;
            State = _run >= patience ? DriftState.Drift : _run > 0 ? DriftState.Warning : DriftState.None;
            return State;
        }

        public void Reset()
        {
            _run = 0;
            State = DriftState.None;
        }
    }
}
