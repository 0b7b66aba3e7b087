using System.Runtime.CompilerServices;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Storage;

/// <summary>What is specific to the in-memory store: its bounds (ring, orphan capacity, per-source fairness) and its options. The contract itself is checked by <see cref="InMemoryEventStoreConformanceTests"/>.</summary>
public class InMemoryEventStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 10, 16, 3600)]
    [InlineData(-1, 10, 16, 3600)]
    [InlineData(10, 0, 16, 3600)]
    [InlineData(10, 10, 0, 3600)]
    [InlineData(10, 10, 16, 0)]
    [InlineData(10, 10, 16, -1)]
    public void Constructor_OptionOutOfRange_ThrowsArgumentOutOfRangeException(int predictions, int orphans, int maxFeedback, int ttlSeconds)
    {
        var options = new FeedbackStoreOptions
        {
            PredictionCapacity = predictions,
            OrphanCapacity = orphans,
            MaxFeedbackPerPrediction = maxFeedback,
            OrphanTimeToLive = TimeSpan.FromSeconds(ttlSeconds),
        };

        var create = () => new InMemoryEventStore(options, Events.TwoNumbers);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task AppendAsync_200000FeedbackBeforePredictionPairs_NoOrphanLeftWaiting()
    {
        var store = Store(predictionCapacity: 1_000, orphanCapacity: 10);
        var batch = new EventBatch(2_000);

        for (var round = 0; round < 200; round++)
        {
            batch.Clear();
            for (var i = 0; i < 1_000; i++)
            {
                var prediction = Events.Prediction(timestamp: T0);
                batch.Add(LoopEvent.For(Feedback.GroundTruth(prediction.Id, true, T0), T0));
                batch.Add(LoopEvent.For(prediction, T0));
            }

            await store.AppendAsync(batch, None);

            batch.Joins.Should().HaveCount(1_000);
            (await store.GetStatisticsAsync(None)).OrphansPending.Should().Be(0);
        }

        (await store.GetStatisticsAsync(None)).Should().Be(new EventStoreStatistics(
            Predictions: 200_000,
            DuplicatePredictions: 0,
            PredictionsEvicted: 199_000,
            FeedbackJoined: 200_000,
            DuplicateFeedback: 0,
            FeedbackRejected: 0,
            OrphansPending: 0,
            OrphansExpired: 0,
            LabelledPredictions: 1_000));
    }

    [Fact]
    public async Task AppendAsync_OrphanCapacity10After100000Adoptions_StillAcceptsNewOrphans()
    {
        var store = Store(predictionCapacity: 100, orphanCapacity: 10);
        var feedback = new EventBatch(10);
        var predictions = new EventBatch(10);

        for (var round = 0; round < 10_000; round++)
        {
            feedback.Clear();
            predictions.Clear();
            for (var i = 0; i < 10; i++)
            {
                var prediction = Events.Prediction(timestamp: T0);
                feedback.Add(LoopEvent.For(Feedback.GroundTruth(prediction.Id, true, T0, "billing"), T0));
                predictions.Add(LoopEvent.For(prediction, T0));
            }

            await store.AppendAsync(feedback, None);
            await store.AppendAsync(predictions, None);

            Outcomes(feedback).Should().OnlyContain(o => o == EventOutcome.Orphaned, "round {0}", round);
            predictions.Joins.Should().HaveCount(10);
        }

        // Ten new orphans fill the capacity; then "billing", holding fewer than "crm", still gets one in (a crm orphan
        // makes room), which a store that kept counting billing's adopted orphans against it would refuse.
        var fresh = Batch([
            .. Enumerable.Range(0, 6).Select(_ => LoopEvent.For(Feedback.GroundTruth(PredictionId.New(), true, T0, "crm"), T0)),
            .. Enumerable.Range(0, 5).Select(_ => LoopEvent.For(Feedback.GroundTruth(PredictionId.New(), true, T0, "billing"), T0)),
        ]);
        await store.AppendAsync(fresh, None);

        Outcomes(fresh).Should().OnlyContain(o => o == EventOutcome.Orphaned);
        var statistics = await store.GetStatisticsAsync(None);
        statistics.FeedbackJoined.Should().Be(100_000);
        statistics.OrphansPending.Should().Be(10);
        statistics.FeedbackRejected.Should().Be(0);
    }

    [Fact]
    public async Task AppendAsync_AdoptedOrphansWhosePredictionsWereEvicted_StoreKeepsNoReferenceToThem()
    {
        var store = Store(predictionCapacity: 10, orphanCapacity: 10);

        var adopted = await AdoptAsync(store, pairs: 10_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        adopted.Should().HaveCount(100).And.OnlyContain(feedback => !feedback.IsAlive);
        (await store.GetStatisticsAsync(None)).OrphansPending.Should().Be(0);
    }

    [Fact]
    public async Task AppendAsync_RingFullAndOldestPredictionSentAgain_DuplicateAndItsFeedbackToo()
    {
        var store = Store(predictionCapacity: 4);
        var predictions = Enumerable.Range(0, 4).Select(i => Events.Prediction(timestamp: T0.AddMinutes(i))).ToList();
        var labels = predictions.Select(p => Feedback.GroundTruth(p.Id, true, T0.AddHours(1))).ToList();
        await store.AppendAsync(Batch(predictions.Select(p => LoopEvent.For(p, p.Timestamp))), None);
        await store.AppendAsync(Batch(labels.Select(l => LoopEvent.For(l, l.Timestamp))), None);

        var again = Batch([LoopEvent.For(predictions[0], T0.AddHours(2)), LoopEvent.For(labels[0], T0.AddHours(2))]);
        await store.AppendAsync(again, None);

        Outcomes(again).Should().Equal(EventOutcome.Duplicate, EventOutcome.Duplicate);
        again.Joins.Should().BeEmpty();
        (await store.GetStatisticsAsync(None)).Should().Be(new EventStoreStatistics(
            Predictions: 4,
            DuplicatePredictions: 1,
            PredictionsEvicted: 0,
            FeedbackJoined: 4,
            DuplicateFeedback: 1,
            FeedbackRejected: 0,
            OrphansPending: 0,
            OrphansExpired: 0,
            LabelledPredictions: 4));
        (await Window(store)).Select(e => e.Prediction.Id).Should().Equal(predictions.Select(p => p.Id));
    }

    [Fact]
    public async Task AppendAsync_RingOverflows_OldestEvictedAndItsLateFeedbackOrphaned()
    {
        var store = Store(predictionCapacity: 3);
        var predictions = Enumerable.Range(0, 4).Select(i => Events.Prediction(timestamp: T0.AddMinutes(i))).ToList();
        await store.AppendAsync(Batch(predictions.Select(p => LoopEvent.For(p, p.Timestamp))), None);

        var late = Batch([
            LoopEvent.For(Feedback.GroundTruth(predictions[0].Id, true, T0.AddHours(1)), T0.AddHours(1)),
            LoopEvent.For(Feedback.GroundTruth(predictions[1].Id, true, T0.AddHours(1)), T0.AddHours(1)),
        ]);
        await store.AppendAsync(late, None);

        Outcomes(late).Should().Equal(EventOutcome.Orphaned, EventOutcome.Joined);
        var statistics = await store.GetStatisticsAsync(None);
        statistics.Predictions.Should().Be(4);
        statistics.PredictionsEvicted.Should().Be(1);
        statistics.OrphansPending.Should().Be(1);
        statistics.FeedbackJoined.Should().Be(1);
    }

    [Fact]
    public async Task AppendAsync_LabelledPredictionEvicted_LeavesTheWindowAndTheLabelledCount()
    {
        var store = Store(predictionCapacity: 2);
        var first = Events.Prediction(timestamp: T0);
        await store.AppendAsync(Batch([LoopEvent.For(first, T0), LoopEvent.For(Feedback.GroundTruth(first.Id, true, T0), T0)]), None);

        await store.AppendAsync(Batch([LoopEvent.For(Events.Prediction(timestamp: T0), T0), LoopEvent.For(Events.Prediction(timestamp: T0), T0)]), None);

        (await store.GetStatisticsAsync(None)).LabelledPredictions.Should().Be(0);
        (await Window(store)).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendAsync_InventedIdsFromAnotherSource_GenuineOrphanStillJoined()
    {
        var store = Store(orphanCapacity: 100);
        var genuine = Events.Prediction(timestamp: T0);
        var label = Feedback.GroundTruth(genuine.Id, true, T0, "billing");
        await store.AppendAsync(Batch([LoopEvent.For(label, T0)]), None);

        var flood = Batch(Enumerable.Range(0, 1_000).Select(_ => LoopEvent.For(Feedback.GroundTruth(PredictionId.New(), false, T0, "attacker"), T0)));
        await store.AppendAsync(flood, None);
        var arrival = Batch([LoopEvent.For(genuine, T0.AddMinutes(1))]);
        await store.AppendAsync(arrival, None);

        arrival.Joins.Should().ContainSingle().Which.Feedback.Id.Should().Be(label.Id);
        Outcomes(flood).Should().OnlyContain(o => o == EventOutcome.Orphaned || o == EventOutcome.Rejected);
        Rejections(flood).Should().NotBeEmpty().And.OnlyContain(reason => !string.IsNullOrWhiteSpace(reason));
        var statistics = await store.GetStatisticsAsync(None);
        statistics.OrphansPending.Should().BeLessThanOrEqualTo(100);
        statistics.FeedbackRejected.Should().Be(Rejections(flood).Count);
    }

    [Fact]
    public async Task AppendAsync_OrphanCapacityFullOfOneSource_AnotherSourceStillGetsIn()
    {
        var store = Store(orphanCapacity: 100);
        var flood = Batch(Enumerable.Range(0, 1_000).Select(_ => LoopEvent.For(Feedback.GroundTruth(PredictionId.New(), false, T0, "attacker"), T0)));
        await store.AppendAsync(flood, None);
        var genuine = Events.Prediction(timestamp: T0);

        var late = Batch([LoopEvent.For(Feedback.GroundTruth(genuine.Id, true, T0, "billing"), T0)]);
        await store.AppendAsync(late, None);
        var arrival = Batch([LoopEvent.For(genuine, T0.AddMinutes(1))]);
        await store.AppendAsync(arrival, None);

        Outcomes(late).Should().Equal(EventOutcome.Orphaned);
        arrival.Joins.Should().ContainSingle();
        (await store.GetStatisticsAsync(None)).OrphansPending.Should().BeLessThanOrEqualTo(100);
    }

    [Fact]
    public async Task AppendAsync_InventedIdsFromTheSameSource_RejectedRatherThanEvictingTheEarlierOrphan()
    {
        var store = Store(orphanCapacity: 100);
        var genuine = Events.Prediction(timestamp: T0);
        var label = Feedback.GroundTruth(genuine.Id, true, T0, "billing");
        await store.AppendAsync(Batch([LoopEvent.For(label, T0)]), None);

        var invented = Batch(Enumerable.Range(0, 1_000).Select(_ => LoopEvent.For(Feedback.GroundTruth(PredictionId.New(), false, T0, "billing"), T0)));
        await store.AppendAsync(invented, None);
        var arrival = Batch([LoopEvent.For(genuine, T0.AddMinutes(1))]);
        await store.AppendAsync(arrival, None);

        Outcomes(invented).Take(99).Should().OnlyContain(o => o == EventOutcome.Orphaned);
        Outcomes(invented).Skip(99).Should().OnlyContain(o => o == EventOutcome.Rejected);
        Rejections(invented).Should().OnlyContain(reason => reason.Contains("orphan capacity", StringComparison.Ordinal));
        arrival.Joins.Should().ContainSingle().Which.Feedback.Id.Should().Be(label.Id);
        var statistics = await store.GetStatisticsAsync(None);
        statistics.FeedbackRejected.Should().Be(901);
        statistics.OrphansPending.Should().Be(99);
        statistics.OrphansExpired.Should().Be(0);
    }

    [Fact]
    public async Task AppendAsync_FeedbackBeyondMaxFeedbackPerPrediction_RejectedWithAReasonNamingTheLimit()
    {
        var store = Store(maxFeedback: 3);
        var prediction = Events.Prediction(timestamp: T0);
        var batch = Batch([
            LoopEvent.For(prediction, T0),
            .. Enumerable.Range(0, 4).Select(i => LoopEvent.For(Feedback.Rating(prediction.Id, i, "user", T0), T0)),
        ]);

        await store.AppendAsync(batch, None);

        Outcomes(batch).Should().Equal(EventOutcome.Stored, EventOutcome.Joined, EventOutcome.Joined, EventOutcome.Joined, EventOutcome.Rejected);
        batch.GetReason(4).Should().Contain("MaxFeedbackPerPrediction");
        (await store.GetStatisticsAsync(None)).FeedbackRejected.Should().Be(1);
    }

    [Fact]
    public async Task AppendAsync_OrphansBeyondMaxFeedbackPerPrediction_RejectedOnArrivalWithAReason()
    {
        var store = Store(maxFeedback: 3);
        var unknown = PredictionId.New();
        var batch = Batch(Enumerable.Range(0, 4).Select(i => LoopEvent.For(Feedback.Rating(unknown, i, "user", T0), T0)));

        await store.AppendAsync(batch, None);

        Outcomes(batch).Should().Equal(EventOutcome.Orphaned, EventOutcome.Orphaned, EventOutcome.Orphaned, EventOutcome.Rejected);
        batch.GetReason(3).Should().Contain("MaxFeedbackPerPrediction");
        var statistics = await store.GetStatisticsAsync(None);
        statistics.OrphansPending.Should().Be(3);
        statistics.FeedbackRejected.Should().Be(1);
    }

    [Fact]
    public async Task AppendAsync_PredictionOfAnotherSchema_ThrowsArgumentException()
    {
        var store = Store();
        var other = FeatureSchema.CreateBuilder().Numeric("age").Build();
        var prediction = new Prediction(PredictionId.New(), "test", "1", T0, FeatureVector.Create(other, [30.0]), PredictionOutput.FromLabel(true));

        var append = async () => await store.AppendAsync(Batch([LoopEvent.For(prediction, T0)]), None);

        await append.Should().ThrowAsync<ArgumentException>().WithMessage("*schema*");
    }

    /// <summary>Appends feedback-then-prediction pairs and returns weak references to every hundredth feedback; the last ones' predictions stay in the ring, the sampled ones are evicted.</summary>
    /// <remarks>A separate method, so that nothing but the store can keep the feedback alive once it returns.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<List<WeakReference>> AdoptAsync(InMemoryEventStore store, int pairs)
    {
        List<WeakReference> sampled = [];
        var batch = new EventBatch();
        for (var i = 0; i < pairs; i++)
        {
            var prediction = Events.Prediction(timestamp: T0);
            var feedback = Feedback.GroundTruth(prediction.Id, true, T0, "billing");
            batch.Clear();
            batch.Add(LoopEvent.For(feedback, T0)).Add(LoopEvent.For(prediction, T0));
            await store.AppendAsync(batch, None);
            batch.Joins.Should().ContainSingle();
            if (i % 100 == 0)
            {
                sampled.Add(new WeakReference(feedback));
            }
        }

        batch.Clear();
        return sampled;
    }

    private static InMemoryEventStore Store(int predictionCapacity = 1_000, int orphanCapacity = 100, int maxFeedback = 16) =>
        new(
            new FeedbackStoreOptions
            {
                PredictionCapacity = predictionCapacity,
                OrphanCapacity = orphanCapacity,
                MaxFeedbackPerPrediction = maxFeedback,
                OrphanTimeToLive = TimeSpan.FromHours(1),
            },
            Events.TwoNumbers);

    private static EventBatch Batch(IEnumerable<LoopEvent> events)
    {
        var batch = new EventBatch();
        foreach (var item in events)
        {
            batch.Add(item);
        }

        return batch;
    }

    private static List<EventOutcome> Outcomes(EventBatch batch) => [.. Enumerable.Range(0, batch.Count).Select(batch.GetOutcome)];

    private static List<string> Rejections(EventBatch batch) =>
        [.. Enumerable.Range(0, batch.Count).Where(i => batch.GetOutcome(i) == EventOutcome.Rejected).Select(i => batch.GetReason(i)!)];

    private static async Task<List<Models.LabelledExample>> Window(InMemoryEventStore store)
    {
        List<Models.LabelledExample> examples = [];
        await foreach (var example in store.ReadLabelledAsync(new LabelledWindowQuery(), None))
        {
            examples.Add(example);
        }

        return examples;
    }
}
