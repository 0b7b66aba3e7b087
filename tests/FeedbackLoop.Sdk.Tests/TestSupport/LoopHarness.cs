using FeedbackLoop.Simulation;
using FeedbackLoop.Retraining;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>Builds loops over <see cref="Events.TwoNumbers"/> with a fake clock, and feeds them labelled traffic.</summary>
public static class LoopHarness
{
    public static FeedbackLoopBuilder Builder(SimulatedClock time, string name = "test") =>
        new FeedbackLoopBuilder(name)
            .WithSchema(Events.TwoNumbers)
            .UseTimeProvider(time)
            .RetrainWhen(Retrain.EveryNewLabels(100))
            .Configure(o =>
            {
                o.MinimumTrainingExamples = 50;
                o.RollingWindowSize = 50;
            });

    /// <summary>Predicts <paramref name="count"/> inputs with x1 uniform in [0, 1) and reports the label <c>x1 &gt;= boundary</c> for each.</summary>
    public static void Traffic(IFeedbackLoop loop, SimulatedClock time, int count, double boundary = 0.5, int seed = 1)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var x1 = random.NextDouble();
            var prediction = loop.Predict(Events.Vector(x1, random.NextDouble()));
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, x1 >= boundary));
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}

/// <summary>Reads a loop's store counters after its consumer has applied everything recorded so far.</summary>
public static class LoopStatisticsExtensions
{
    public static async Task<FeedbackLoop.Storage.EventStoreStatistics> StoreStatisticsAsync(this IFeedbackLoop loop)
    {
        await loop.FlushAsync(CancellationToken.None);
        return (await loop.GetStatisticsAsync(CancellationToken.None)).Store;
    }
}
