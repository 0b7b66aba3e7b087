using FeedbackLoop.Storage;
using Xunit;

namespace FeedbackLoop.Testing;

/// <content>Orphans: feedback that arrives before its prediction, waits, is adopted or expires.</content>
public abstract partial class EventStoreConformanceTests
{
    /// <summary>
    /// Feedback that arrives before its prediction in the same batch is orphaned, then joined when the prediction
    /// arrives, and reported through the batch's joins.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_FeedbackBeforeItsPredictionInOneBatch_OrphanedThenJoinedInThatBatch()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        var label = GroundTruth(prediction, true, T0.AddMinutes(1));

        var batch = await session.AppendAsync(Event(label), Event(prediction, T0.AddMinutes(2)));

        AssertOutcomes(batch, EventOutcome.Orphaned, EventOutcome.Stored);
        AssertJoin(Assert.Single(batch.Joins), label, prediction);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>
    /// Feedback whose prediction is unknown waits as an orphan; when the prediction arrives in a later batch, the orphan is
    /// joined and reported through the joins of the prediction's batch.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_FeedbackBeforeItsPredictionInAnEarlierBatch_JoinedInThePredictionsBatch()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        var label = GroundTruth(prediction, true, T0.AddMinutes(1));

        var early = await session.AppendAsync(Event(label));
        var pending = await session.StatisticsAsync();
        var arrival = await session.AppendAsync(Event(prediction, T0.AddMinutes(2)));

        AssertOutcomes(early, EventOutcome.Orphaned);
        Assert.Empty(early.Joins);
        Assert.Equal(Statistics() with { OrphansPending = 1 }, pending);
        AssertOutcomes(arrival, EventOutcome.Stored);
        AssertJoin(Assert.Single(arrival.Joins), label, prediction);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>
    /// Several orphans of one prediction, from several batches, are all joined when it arrives; the labels among them are
    /// reported in the order they arrived, and the label received last is the prediction's label.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_SeveralOrphansOfOnePrediction_AllJoinedAndLabelsReportedInArrivalOrder()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        var groundTruth = GroundTruth(prediction, true, T0.AddMinutes(1));
        var rating = NonLabel(FeedbackKind.Rating, prediction.Id, T0.AddMinutes(2));
        var correction = Feedback.Correction(prediction.Id, false, "reviewer:1", T0.AddMinutes(3));
        await session.AppendAsync(Event(groundTruth), Event(rating));
        await session.AppendAsync(Event(correction));

        var arrival = await session.AppendAsync(Event(prediction, T0.AddMinutes(4)));

        Assert.Equal([groundTruth.Id, correction.Id], arrival.Joins.Select(j => j.Feedback.Id));
        AssertJoin(arrival.Joins[0], groundTruth, prediction);
        AssertJoin(arrival.Joins[1], correction, prediction);
        var example = Assert.Single(await session.ReadAsync());
        Assert.Equal(Label.Binary(false), example.Label);
        Assert.Equal(T0.AddMinutes(3), example.LabelledAt);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 3, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>An orphan delivered again is a duplicate: it waits once, and is joined and reported once when its prediction arrives.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_OrphanDeliveredAgain_DuplicateAndJoinedOnce()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        var label = GroundTruth(prediction, true, T0.AddMinutes(1));
        await session.AppendAsync(Event(label));

        var again = await session.AppendAsync(Event(label, T0.AddMinutes(2)));
        var pending = await session.StatisticsAsync();
        var arrival = await session.AppendAsync(Event(prediction, T0.AddMinutes(3)));

        AssertOutcomes(again, EventOutcome.Duplicate);
        Assert.Equal(Statistics() with { DuplicateFeedback = 1, OrphansPending = 1 }, pending);
        AssertJoin(Assert.Single(arrival.Joins), label, prediction);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 1, DuplicateFeedback = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>
    /// An orphan expires once its TTL has passed since the loop received it: <see cref="IEventStore.ExpireAsync"/> returns
    /// how many expired, the statistics move it from pending to expired, and its prediction arriving later joins nothing.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ExpireAsync_OrphanPastItsTimeToLive_DroppedAndCounted()
    {
        await using var session = await StartAsync();
        var ttl = session.Options.OrphanTimeToLive;
        var prediction = session.Prediction();
        await session.AppendAsync(Event(GroundTruth(prediction, true, T0), T0));

        var early = await session.ExpireAsync(T0 + ttl - TimeSpan.FromSeconds(1));
        var due = await session.ExpireAsync(T0 + ttl + TimeSpan.FromSeconds(1));
        var afterwards = await session.ExpireAsync(T0 + ttl + TimeSpan.FromMinutes(1));
        var arrival = await session.AppendAsync(Event(prediction, T0 + ttl + TimeSpan.FromMinutes(2)));

        Assert.Equal(0, early);
        Assert.Equal(1, due);
        Assert.Equal(0, afterwards);
        AssertOutcomes(arrival, EventOutcome.Stored);
        Assert.Empty(arrival.Joins);
        Assert.Equal(Statistics() with { Predictions = 1, OrphansExpired = 1 }, await session.StatisticsAsync());
        Assert.Empty(await session.ReadAsync());
    }

    /// <summary>
    /// An orphan's TTL counts from when the loop received it (<see cref="LoopEvent.ReceivedAt"/>), not from the feedback's
    /// own timestamp: feedback produced long ago does not expire early, feedback stamped in the future does not wait longer.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ExpireAsync_FeedbackTimestampFarFromReceivedAt_TimeToLiveCountsFromReceivedAt()
    {
        await using var session = await StartAsync();
        var ttl = session.Options.OrphanTimeToLive;
        var producedLongAgo = GroundTruth(PredictionId.New(), true, T0 - TimeSpan.FromDays(30));
        var stampedInTheFuture = GroundTruth(PredictionId.New(), true, T0 + TimeSpan.FromDays(30));
        await session.AppendAsync(Event(producedLongAgo, T0), Event(stampedInTheFuture, T0));

        var early = await session.ExpireAsync(T0 + (ttl / 2));
        var pending = await session.StatisticsAsync();
        var due = await session.ExpireAsync(T0 + ttl + TimeSpan.FromSeconds(1));

        Assert.Equal(0, early);
        Assert.Equal(Statistics() with { OrphansPending = 2 }, pending);
        Assert.Equal(2, due);
        Assert.Equal(Statistics() with { OrphansExpired = 2 }, await session.StatisticsAsync());
    }

    /// <summary>
    /// When the clock steps back, an orphan that arrived later but was received at an earlier time expires on its own
    /// time, while the one that arrived first keeps waiting until its own TTL passes.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ExpireAsync_ClockSteppedBack_LaterArrivalWithEarlierReceivedAtExpiresOnTime()
    {
        await using var session = await StartAsync();
        var ttl = session.Options.OrphanTimeToLive;
        var first = session.Prediction();
        var second = session.Prediction();
        var arrivedFirst = GroundTruth(first, true, T0.AddMinutes(10));
        var arrivedSecond = GroundTruth(second, true, T0);
        await session.AppendAsync(Event(arrivedFirst, T0.AddMinutes(10)));
        await session.AppendAsync(Event(arrivedSecond, T0));

        var secondDue = await session.ExpireAsync(T0 + ttl + TimeSpan.FromSeconds(1));
        var firstNotYet = await session.ExpireAsync(T0.AddMinutes(10) + ttl - TimeSpan.FromSeconds(1));
        var pending = await session.StatisticsAsync();
        var arrival = await session.AppendAsync(Event(first, T0 + ttl + TimeSpan.FromSeconds(2)), Event(second, T0 + ttl + TimeSpan.FromSeconds(2)));

        Assert.Equal(1, secondDue);
        Assert.Equal(0, firstNotYet);
        Assert.Equal(Statistics() with { OrphansPending = 1, OrphansExpired = 1 }, pending);
        AssertJoin(Assert.Single(arrival.Joins), arrivedFirst, first);
    }

    /// <summary>
    /// Orphans count towards the per-prediction feedback limit: when more orphans wait than the limit allows, the ones
    /// received first are joined and the rest are refused (when they arrive or when the prediction does), counted in
    /// <see cref="EventStoreStatistics.FeedbackRejected"/>.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_MoreOrphansThanMaxFeedbackPerPrediction_FirstOnesJoinedRestRejected()
    {
        await using var session = await StartAsync(new EventStoreConformanceOptions { MaxFeedbackPerPrediction = 3 });
        var prediction = session.Prediction();
        var labels = Enumerable.Range(1, 4).Select(i => GroundTruth(prediction, i % 2 == 0, T0.AddMinutes(i))).ToList();
        await session.AppendAsync(labels.Select(l => Event(l)).ToArray());

        var arrival = await session.AppendAsync(Event(prediction, T0.AddMinutes(5)));

        Assert.Equal(labels.Take(3).Select(l => l.Id), arrival.Joins.Select(j => j.Feedback.Id));
        Assert.Equal(labels[2].Value, Assert.Single(await session.ReadAsync()).Label);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 3, FeedbackRejected = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }
}
