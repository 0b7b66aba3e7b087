using FeedbackLoop.Storage;
using Xunit;

namespace FeedbackLoop.Testing;

/// <content>Statistics, and the limits a store enforces with a stated reason.</content>
public abstract partial class EventStoreConformanceTests
{
    /// <summary>A new store's counters are all zero.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetStatisticsAsync_NewStore_AllZero()
    {
        await using var session = await StartAsync();

        Assert.Equal(Statistics(), await session.StatisticsAsync());
    }

    /// <summary>After a stream with every kind of outcome, each counter says what happened.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetStatisticsAsync_MixedStream_CountersMatchWhatHappened()
    {
        await using var session = await StartAsync(new EventStoreConformanceOptions { MaxFeedbackPerPrediction = 2 });
        var ttl = session.Options.OrphanTimeToLive;
        var (labelled, rated, limited) = (session.Prediction(), session.Prediction(), session.Prediction());
        var adopted = session.Prediction(T0.AddMinutes(5));
        var label = GroundTruth(labelled, true, T0.AddMinutes(1));

        await session.AppendAsync(Event(labelled), Event(rated), Event(limited), Event(labelled));
        await session.AppendAsync(Event(label), Event(NonLabel(FeedbackKind.Rating, rated.Id, T0.AddMinutes(1))), Event(label));
        await session.AppendAsync(Event(GroundTruth(adopted, false, T0.AddMinutes(2))), Event(GroundTruth(PredictionId.New(), true, T0.AddMinutes(2))));
        await session.AppendAsync(Event(adopted));
        var expired = await session.ExpireAsync(T0.AddMinutes(2) + ttl + TimeSpan.FromSeconds(1));
        var limit = await session.AppendAsync(
            Event(NonLabel(FeedbackKind.Flag, limited.Id, T0.AddMinutes(3))),
            Event(NonLabel(FeedbackKind.Rating, limited.Id, T0.AddMinutes(3))),
            Event(NonLabel(FeedbackKind.Rating, limited.Id, T0.AddMinutes(4))));

        Assert.Equal(1, expired);
        AssertOutcomes(limit, EventOutcome.Joined, EventOutcome.Joined, EventOutcome.Rejected);
        Assert.Equal(
            new EventStoreStatistics(
                Predictions: 4,
                DuplicatePredictions: 1,
                PredictionsEvicted: 0,
                FeedbackJoined: 5,
                DuplicateFeedback: 1,
                FeedbackRejected: 1,
                OrphansPending: 0,
                OrphansExpired: 1,
                LabelledPredictions: 2),
            await session.StatisticsAsync());
    }

    /// <summary>
    /// Feedback beyond <see cref="EventStoreConformanceOptions.MaxFeedbackPerPrediction"/> for one prediction is rejected
    /// with a reason, counted in <see cref="EventStoreStatistics.FeedbackRejected"/>, and changes neither the label nor the
    /// joins; a re-delivery of feedback already applied is still a duplicate, not a rejection.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_FeedbackBeyondMaxFeedbackPerPrediction_RejectedWithAReason()
    {
        await using var session = await StartAsync(new EventStoreConformanceOptions { MaxFeedbackPerPrediction = 2 });
        var prediction = session.Prediction();
        var first = GroundTruth(prediction, true, T0.AddMinutes(1));
        var second = GroundTruth(prediction, false, T0.AddMinutes(2));
        var third = GroundTruth(prediction, true, T0.AddMinutes(3));

        var batch = await session.AppendAsync(Event(prediction), Event(first), Event(second), Event(third), Event(first));

        AssertOutcomes(batch, EventOutcome.Stored, EventOutcome.Joined, EventOutcome.Joined, EventOutcome.Rejected, EventOutcome.Duplicate);
        Assert.False(string.IsNullOrWhiteSpace(batch.GetReason(3)));
        Assert.Null(batch.GetReason(1));
        Assert.Equal([first.Id, second.Id], batch.Joins.Select(j => j.Feedback.Id));
        Assert.Equal(Label.Binary(false), Assert.Single(await session.ReadAsync()).Label);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 2, DuplicateFeedback = 1, FeedbackRejected = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }
}
