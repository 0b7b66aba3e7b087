using FeedbackLoop.Storage;
using Xunit;

namespace FeedbackLoop.Testing;

/// <summary>
/// The definition of a correct durable <see cref="IEventStore"/>: everything <see cref="EventStoreConformanceTests"/>
/// asks, and what a restart must not change. Inherit this class instead of the base suite, create a store in
/// <see cref="EventStoreConformanceTests.CreateStoreAsync"/>, and open another on the same data in
/// <see cref="ReopenAsync"/>.
/// </summary>
/// <remarks>
/// A durable store's append is its acknowledgement: when <see cref="IEventStore.AppendAsync"/> completes, the batch is
/// committed and a store opened again on the data (after a clean stop or a crash) sees it — predictions, labels and
/// their joins, orphans still waiting, the counters, and every event id, so that a batch re-sent after a crash is a
/// duplicate in every event. What only a given database has (schema migrations, file or server errors, killing a real
/// process) is tested by the store's own tests.
/// </remarks>
public abstract class DurableEventStoreConformanceTests : EventStoreConformanceTests
{
    /// <summary>
    /// Opens a new store on the data the test's store wrote, as a process restarted on the same database would. The
    /// suite has released the previous store (its <see cref="EventStoreUnderTest"/>) first; the data itself must live
    /// until the test ends (release it with the test class, not with the store).
    /// </summary>
    /// <param name="options">The options the test's store was made with.</param>
    /// <param name="cancellationToken">Cancelled when the test times out.</param>
    /// <returns>The reopened store, and what to release when the test ends or restarts it again.</returns>
    protected abstract ValueTask<EventStoreUnderTest> ReopenAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken);

    /// <summary>After a restart the predictions, labels, orphans and counters are there, and a waiting orphan still joins its prediction.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task Restart_PredictionsLabelsOrphansAndCountersSurvive_AndAWaitingOrphanStillJoins()
    {
        await using var session = await StartAsync();
        var labelled = session.Prediction();
        var late = session.Prediction(timestamp: T0.AddMinutes(1));
        var early = GroundTruth(late, false, T0.AddMinutes(2));
        var label = GroundTruth(labelled, true, T0.AddMinutes(2));
        await session.AppendAsync(Event(labelled), Event(label), Event(NonLabel(FeedbackKind.Rating, labelled.Id, T0.AddMinutes(2))), Event(early));
        var before = await session.StatisticsAsync();

        await session.RestartAsync(ReopenAsync);

        Assert.Equal(before, await session.StatisticsAsync());
        Assert.Equal([(labelled.Id, label.Value)], (await session.ReadAsync()).Select(e => (e.Prediction.Id, e.Label)));
        var batch = await session.AppendAsync(Event(late));
        AssertOutcomes(batch, EventOutcome.Stored);
        AssertJoin(Assert.Single(batch.Joins), early, late);
        Assert.Equal(
            before with { Predictions = 2, FeedbackJoined = before.FeedbackJoined + 1, OrphansPending = 0, LabelledPredictions = 2 },
            await session.StatisticsAsync());
    }

    /// <summary>A batch committed before a crash and re-sent after it is a duplicate in every event; only the duplicate counters change.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task Restart_BatchAppendedAgainAfterTheRestart_AllDuplicateAndOnlyDuplicateCountersChange()
    {
        await using var session = await StartAsync();
        var known = session.Prediction();
        var unknown = PredictionId.New();
        var batch = Batch(
            Event(known),
            Event(GroundTruth(known, true, T0.AddMinutes(2))),
            Event(NonLabel(FeedbackKind.Flag, known.Id, T0.AddMinutes(2))),
            Event(Feedback.GroundTruth(unknown, true, T0.AddMinutes(3))));
        await session.AppendAsync(batch);
        var before = await session.StatisticsAsync();

        await session.RestartAsync(ReopenAsync);
        batch.ResetOutcomes();
        await session.AppendAsync(batch);

        AssertOutcomes(batch, EventOutcome.Duplicate, EventOutcome.Duplicate, EventOutcome.Duplicate, EventOutcome.Duplicate);
        Assert.Empty(batch.Joins);
        Assert.Equal(before with { DuplicatePredictions = 1, DuplicateFeedback = 3 }, await session.StatisticsAsync());
    }

    /// <summary>The per-prediction feedback limit and the labelled count hold across a restart: feedback stored before it counts.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task Restart_FeedbackLimitAndLabelledCount_CountFeedbackFromBeforeTheRestart()
    {
        await using var session = await StartAsync(new EventStoreConformanceOptions { MaxFeedbackPerPrediction = 2 });
        var prediction = session.Prediction();
        await session.AppendAsync(Event(prediction), Event(GroundTruth(prediction, true, T0.AddMinutes(1))));

        await session.RestartAsync(ReopenAsync);
        var second = await session.AppendAsync(Event(GroundTruth(prediction, false, T0.AddMinutes(2))));
        var third = await session.AppendAsync(Event(GroundTruth(prediction, true, T0.AddMinutes(3))));

        AssertOutcomes(second, EventOutcome.Joined);
        AssertOutcomes(third, EventOutcome.Rejected);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 2, FeedbackRejected = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
        Assert.Equal([Label.Binary(false)], (await session.ReadAsync()).Select(e => e.Label));
    }

    /// <summary>An orphan's time to live counts from when the loop received it, also across a restart.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task Restart_OrphanWaitingAcrossIt_ExpiresWhenItsTimeToLivePasses()
    {
        await using var session = await StartAsync();
        await session.AppendAsync(Event(Feedback.GroundTruth(PredictionId.New(), true, T0), T0));

        await session.RestartAsync(ReopenAsync);

        Assert.Equal(0, await session.ExpireAsync(T0 + session.Options.OrphanTimeToLive - TimeSpan.FromSeconds(1)));
        Assert.Equal(1, await session.ExpireAsync(T0 + session.Options.OrphanTimeToLive + TimeSpan.FromSeconds(1)));
        Assert.Equal(Statistics() with { OrphansExpired = 1 }, await session.StatisticsAsync());
    }
}
