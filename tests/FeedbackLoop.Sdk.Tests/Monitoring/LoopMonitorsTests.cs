using FeedbackLoop.Drift;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Monitoring;

/// <summary>Detectors run on the loop's consumer: a slow or broken one costs the request path nothing.</summary>
public class LoopMonitorsTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SimulatedClock _time = new();

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task DefaultErrorDetector_AFallingErrorRateRaisesNoDrift(bool twoSided, bool drift)
    {
        // A host's model wrong on 30% of the first 3,000 labels, then on none: the error rate falls.
        var builder = LoopHarness.Builder(_time).RetrainWhen(Retrain.OnDrift());
        await using var loop = (twoSided ? builder.MonitorErrors(() => new Adwin()) : builder).Build();
        for (var i = 0; i < 4_000; i++)
        {
            var wrong = i < 3_000 && i % 10 < 3;
            var prediction = Events.Prediction(timestamp: _time.GetUtcNow(), predicted: !wrong);
            loop.RecordPrediction(prediction);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, true));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var report = await loop.RunCycleAsync(None);

        report.Observed.DriftSignals.Any(s => s.State == DriftState.Drift).Should().Be(drift, "ADWIN's window shrinks either way; only a rise is a drift of the error");
    }

    [Fact]
    public async Task RecordPrediction_DetectorBlocked_RecordCallsReturnAtOnce()
    {
        using var release = new ManualResetEventSlim();
        await using var loop = LoopHarness.Builder(_time).MonitorFeature("x1", () => new BlockingDetector(release)).Build();

        var recording = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                loop.RecordPrediction(Events.Prediction());
            }
        });

        (await Task.WhenAny(recording, Task.Delay(TimeSpan.FromSeconds(10)))).Should().BeSameAs(recording, "the record path never waits for a detector");
        release.Set();
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(100);
    }

    [Fact]
    public async Task Detector_ReturnsAnUndefinedState_ContainedAndLaterPredictionsServed()
    {
        await using var loop = LoopHarness.Builder(_time).MonitorErrors(() => new UndefinedStateDetector()).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        LoopHarness.Traffic(loop, _time, 20);
        var report = await loop.RunCycleAsync(None);

        report.Observed.ContainedFailures.Should().Be(20);
        report.Observed.DriftSignals.Should().BeEmpty();
        loop.Invoking(l => l.Predict(Events.Vector())).Should().NotThrow();
    }

    [Fact]
    public async Task PromoteAsync_ErrorDetectorResetThrows_NeverCalledTheNewVersionGetsAFreshDetector()
    {
        var created = 0;
        await using var loop = LoopHarness.Builder(_time).MonitorErrors(() =>
        {
            created++;
            return new ThrowingResetDetector();
        }).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);

        var version = await loop.PromoteAsync(new ThresholdModel(0.3).ToTrainedModel(), new AliasChange("host", "manual"), None);

        loop.Champion.Should().Be(version);
        loop.Predict(Events.Vector(0.4)).ModelVersion.Should().Be("2");
        created.Should().Be(3, "the host's model, then each served version gets a detector of its own; none is reset");
        (await loop.RunCycleAsync(None)).Observed.ContainedFailures.Should().Be(0);
    }

    [Fact]
    public async Task PromoteAsync_ErrorDetectorFactoryThrows_PromotedAndTheFailureContained()
    {
        var calls = 0;
        await using var loop = LoopHarness.Builder(_time).MonitorErrors(() => ++calls == 1 ? new ThrowingResetDetector() : throw new InvalidOperationException("factory bug")).Build();

        var version = await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        LoopHarness.Traffic(loop, _time, 10);

        loop.Champion.Should().Be(version);
        var report = await loop.RunCycleAsync(None);
        report.Observed.ContainedFailures.Should().Be(1);
        report.Observed.LabelsSinceLastTraining.Should().Be(10, "labels are still counted without an error monitor");
    }

    private sealed class BlockingDetector(ManualResetEventSlim release) : IDriftDetector
    {
        public DriftState State => DriftState.None;

        public DriftState Update(double value)
        {
            release.Wait();
            return DriftState.None;
        }

        public void Reset()
        {
        }
    }

    private sealed class UndefinedStateDetector : IDriftDetector
    {
        public DriftState State => (DriftState)3;

        public DriftState Update(double value) => (DriftState)3;

        public void Reset()
        {
        }
    }

    private sealed class ThrowingResetDetector : IDriftDetector
    {
        public DriftState State => DriftState.None;

        public DriftState Update(double value) => DriftState.None;

        public void Reset() => throw new InvalidOperationException("reset bug");
    }
}
