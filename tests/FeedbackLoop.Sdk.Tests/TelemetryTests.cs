using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using FeedbackLoop.Telemetry;
using FeedbackLoop.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedbackLoop.Tests;

public class TelemetryTests
{
    [Fact]
    public async Task Loop_EmitsCountersTaggedWithTheLoopAndAnActivityPerCycle()
    {
        var measurements = new ConcurrentQueue<(string Instrument, long Value, string? Loop)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FeedbackLoopTelemetry.SourceName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? loop = null;
            foreach (var tag in tags)
            {
                loop = tag.Key == FeedbackLoopTelemetry.LoopTag ? tag.Value as string : loop;
            }

            measurements.Enqueue((instrument.Name, value, loop));
        });
        meters.Start();

        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FeedbackLoopTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);

        var name = "telemetry-" + Guid.NewGuid().ToString("N");
        using var loop = LoopHarness.Builder(new SimulatedClock(), name).Build();
        var prediction = Events.Prediction(model: name);
        loop.RecordPrediction(prediction);
        loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, true));
        loop.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true));
        await loop.RunCycleAsync(CancellationToken.None);

        var mine = measurements.Where(m => m.Loop == name).ToList();
        mine.Where(m => m.Instrument == FeedbackLoopTelemetry.PredictionsRecorded).Sum(m => m.Value).Should().Be(1);
        mine.Where(m => m.Instrument == FeedbackLoopTelemetry.FeedbackReceived).Sum(m => m.Value).Should().Be(2);
        var cycle = activities.Should().ContainSingle(a => name.Equals(a.GetTagItem(FeedbackLoopTelemetry.LoopTag))).Subject;
        cycle.OperationName.Should().Be(FeedbackLoopTelemetry.CycleActivity);
        cycle.GetTagItem(FeedbackLoopTelemetry.OutcomeTag).Should().Be(nameof(CycleOutcome.Deferred));
    }

    [Fact]
    public async Task RunCycleAsync_LogsOneLinePerCycle_NoOpCyclesAtDebug()
    {
        var logs = new CapturingLoggerFactory();
        var time = new SimulatedClock();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(logs);
        services.AddFeedbackLoop("churn", loop => loop
            .WithSchema(Events.TwoNumbers)
            .UseTimeProvider(time)
            .RetrainWhen(FeedbackLoop.Retraining.Retrain.EveryNewLabels(100))
            .Configure(o => o.MinimumTrainingExamples = 50));
        await using var provider = services.BuildServiceProvider();
        var loop = provider.GetRequiredKeyedService<IFeedbackLoop>("churn");
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), CancellationToken.None);

        await loop.RunCycleAsync(CancellationToken.None);
        LoopHarness.Traffic(loop, time, 150);
        await loop.RunCycleAsync(CancellationToken.None);

        var cycles = logs.Entries.Where(e => e.Message.StartsWith("Feedback loop churn", StringComparison.Ordinal)).ToList();
        cycles.Should().HaveCount(2);
        cycles[0].Level.Should().Be(LogLevel.Debug, "a cycle that did nothing is not news");
        cycles[0].Message.Should().StartWith("Feedback loop churn: cycle 1: NoAction");
        cycles[1].Level.Should().Be(LogLevel.Information);
        cycles.Should().OnlyContain(c => !c.Message.Contains("cycle 1: cycle 1", StringComparison.Ordinal) && !c.Message.Contains("cycle 2: cycle 2", StringComparison.Ordinal));
    }
}
