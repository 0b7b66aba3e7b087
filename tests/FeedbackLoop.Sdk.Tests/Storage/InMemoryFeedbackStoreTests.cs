using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Storage;

public class InMemoryFeedbackStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static InMemoryFeedbackStore Store(int predictions = 100, int orphans = 100, TimeSpan? ttl = null) =>
        new(
            new FeedbackStoreOptions
        {
            PredictionCapacity = predictions,
            OrphanCapacity = orphans,
            OrphanTimeToLive = ttl ?? TimeSpan.FromMinutes(10),
        },
            Events.TwoNumbers);

    [Fact]
    public void RecordFeedback_KnownPrediction_JoinsAndLabels()
    {
        var store = Store();
        var prediction = Events.Prediction(timestamp: T0);
        store.RecordPrediction(prediction);

        var result = store.RecordFeedback(Feedback.GroundTruth(prediction.Id, false), T0.AddDays(3));

        result.Status.Should().Be(FeedbackRecordStatus.Joined);
        result.Joined.Should().Be(new JoinedPrediction(prediction.Id, prediction.ModelVersion, prediction.Timestamp, prediction.Output));
        store.GetStatistics().LabelledPredictions.Should().Be(1);
    }

    [Fact]
    public void RecordFeedback_SameIdTwice_AppliedOnce()
    {
        var store = Store();
        var prediction = Events.Prediction(timestamp: T0);
        store.RecordPrediction(prediction);
        var feedback = Feedback.GroundTruth(prediction.Id, true);

        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Joined);
        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Duplicate);

        var statistics = store.GetStatistics();
        statistics.FeedbackJoined.Should().Be(1);
        statistics.DuplicateFeedback.Should().Be(1);
    }

    [Fact]
    public void RecordFeedback_DuplicateOfAnOrphan_IsDuplicate()
    {
        var store = Store();
        var feedback = Feedback.GroundTruth(PredictionId.New(), true);

        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Orphaned);
        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Duplicate);
        store.GetStatistics().OrphansPending.Should().Be(1);
    }

    [Fact]
    public void RecordPrediction_AfterItsFeedback_AdoptsTheOrphan()
    {
        var store = Store();
        var id = PredictionId.New();
        var feedback = Feedback.GroundTruth(id, true);
        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Orphaned);

        var result = store.RecordPrediction(Events.Prediction(id, T0));

        result.AdoptedFeedback.Should().ContainSingle().Which.Should().BeSameAs(feedback);
        var statistics = store.GetStatistics();
        statistics.OrphansPending.Should().Be(0);
        statistics.LabelledPredictions.Should().Be(1);
        store.ExpireOrphans(T0.AddDays(1)).Should().Be(0, "an adopted orphan does not expire");
    }

    [Fact]
    public void ExpireOrphans_AfterTtl_ExpiresAndCounts()
    {
        var store = Store(ttl: TimeSpan.FromMinutes(10));
        store.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true), T0);
        store.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true), T0.AddMinutes(5));

        store.ExpireOrphans(T0.AddMinutes(9)).Should().Be(0);
        store.ExpireOrphans(T0.AddMinutes(10)).Should().Be(1);
        store.ExpireOrphans(T0.AddMinutes(15)).Should().Be(1);

        var statistics = store.GetStatistics();
        statistics.OrphansExpired.Should().Be(2);
        statistics.OrphansPending.Should().Be(0);
    }

    [Fact]
    public void ExpiredOrphan_ItsPredictionArrivesLater_StaysUnlabelled()
    {
        var store = Store(ttl: TimeSpan.FromMinutes(1));
        var id = PredictionId.New();
        store.RecordFeedback(Feedback.GroundTruth(id, true), T0);
        store.ExpireOrphans(T0.AddMinutes(2));

        store.RecordPrediction(Events.Prediction(id, T0)).AdoptedFeedback.Should().BeEmpty();
        store.GetStatistics().LabelledPredictions.Should().Be(0);
    }

    [Fact]
    public void RecordFeedback_OrphanCapacityReached_ExpiresTheOldestEarly()
    {
        var store = Store(orphans: 2);
        var first = PredictionId.New();
        store.RecordFeedback(Feedback.GroundTruth(first, true), T0);
        store.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true), T0);
        store.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true), T0);

        var statistics = store.GetStatistics();
        statistics.OrphansPending.Should().Be(2);
        statistics.OrphansExpired.Should().Be(1);
        store.RecordPrediction(Events.Prediction(first, T0)).AdoptedFeedback.Should().BeEmpty("the oldest orphan made room");
    }

    [Fact]
    public void RecordPrediction_BeyondCapacity_EvictsTheOldest()
    {
        var store = Store(predictions: 2);
        var oldest = Events.Prediction(timestamp: T0);
        store.RecordPrediction(oldest);
        store.RecordPrediction(Events.Prediction(timestamp: T0));
        store.RecordPrediction(Events.Prediction(timestamp: T0));

        store.GetStatistics().PredictionsEvicted.Should().Be(1);
        store.RecordFeedback(Feedback.GroundTruth(oldest.Id, true), T0).Status.Should().Be(FeedbackRecordStatus.Orphaned);
    }

    [Fact]
    public void RecordPrediction_SameIdTwice_SecondIsDuplicate()
    {
        var store = Store();
        var prediction = Events.Prediction(timestamp: T0);

        store.RecordPrediction(prediction).IsDuplicate.Should().BeFalse();
        store.RecordPrediction(prediction).IsDuplicate.Should().BeTrue();
        store.GetStatistics().Predictions.Should().Be(1);
    }

    [Fact]
    public void RecordFeedback_SeveralEventsForOnePrediction_EachAppliedOnce()
    {
        var store = Store();
        var prediction = Events.Prediction(timestamp: T0);
        store.RecordPrediction(prediction);
        var events = new[] { Feedback.GroundTruth(prediction.Id, true), Feedback.Rating(prediction.Id, 4, "user"), Feedback.Flag(prediction.Id, "odd", "user") };

        events.Select(f => store.RecordFeedback(f, T0).Status).Should().OnlyContain(s => s == FeedbackRecordStatus.Joined);
        events.Select(f => store.RecordFeedback(f, T0).Status).Should().OnlyContain(s => s == FeedbackRecordStatus.Duplicate);
        store.GetStatistics().FeedbackJoined.Should().Be(3);
    }

    [Fact]
    public void RecordFeedback_AdoptedOrphanRedelivered_IsDuplicate()
    {
        var store = Store();
        var id = PredictionId.New();
        var feedback = Feedback.GroundTruth(id, true);
        store.RecordFeedback(feedback, T0);
        store.RecordPrediction(Events.Prediction(id, T0));

        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Duplicate);
    }

    [Fact]
    public void RecordFeedback_RedeliveredAfterItsPredictionWasEvicted_WaitsAsOrphanNotReapplied()
    {
        var store = Store(predictions: 1);
        var first = Events.Prediction(timestamp: T0);
        store.RecordPrediction(first);
        var feedback = Feedback.GroundTruth(first.Id, true);
        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Joined);
        store.RecordPrediction(Events.Prediction(timestamp: T0));

        store.RecordFeedback(feedback, T0).Status.Should().Be(FeedbackRecordStatus.Orphaned);
        store.GetStatistics().FeedbackJoined.Should().Be(1);
    }

    [Fact]
    public async Task GetLabelledExamples_FiltersByTimeAndKeepsTheNewest()
    {
        var store = Store();
        var predictions = Enumerable.Range(0, 10).Select(i => Events.Prediction(timestamp: T0.AddMinutes(i))).ToArray();
        foreach (var prediction in predictions)
        {
            store.RecordPrediction(prediction);
        }

        foreach (var prediction in predictions.Where((_, i) => i != 7))
        {
            store.RecordFeedback(Feedback.GroundTruth(prediction.Id, true), T0.AddHours(1));
        }

        store.RecordFeedback(Feedback.Rating(predictions[7].Id, 4, "user"), T0.AddHours(1));

        var all = await store.GetLabelledExamplesAsync(null, 100, CancellationToken.None);
        all.Should().HaveCount(9, "a rating is not a label");
        all.Select(e => e.Prediction.Timestamp).Should().BeInAscendingOrder();

        var newest = await store.GetLabelledExamplesAsync(null, 3, CancellationToken.None);
        newest.Select(e => e.Prediction.Id).Should().Equal(predictions[6].Id, predictions[8].Id, predictions[9].Id);

        var since = await store.GetLabelledExamplesAsync(T0.AddMinutes(5), 100, CancellationToken.None);
        since.Should().HaveCount(4);
    }

    [Fact]
    public async Task RecordFeedback_CorrectionAfterGroundTruth_LatestLabelWins()
    {
        var store = Store();
        var prediction = Events.Prediction(timestamp: T0);
        store.RecordPrediction(prediction);
        store.RecordFeedback(Feedback.GroundTruth(prediction.Id, true), T0);
        store.RecordFeedback(Feedback.Correction(prediction.Id, false, "reviewer:1"), T0.AddMinutes(1));

        var examples = await store.GetLabelledExamplesAsync(null, 10, CancellationToken.None);

        examples.Should().ContainSingle().Which.Label.Should().Be(Label.Binary(false));
        store.GetStatistics().LabelledPredictions.Should().Be(1);
    }

    [Fact]
    public void TryGetPrediction_RebuildsTheStoredPrediction()
    {
        var store = Store();
        var segments = new Dictionary<string, string> { ["region"] = "eu" };
        var original = new Prediction(PredictionId.New(), "test", "7", T0, Events.Vector(0.25, -3.5), PredictionOutput.Binary(0.8), segments);
        store.RecordPrediction(original);

        store.TryGetPrediction(original.Id, out var copy).Should().BeTrue();

        copy!.Id.Should().Be(original.Id);
        copy.ModelName.Should().Be("test");
        copy.ModelVersion.Should().Be("7");
        copy.Timestamp.Should().Be(T0);
        copy.Output.Should().Be(original.Output);
        copy.Features.Numeric.ToArray().Should().Equal(0.25, -3.5);
        copy.Segments.Should().BeSameAs(segments);
        store.TryGetPrediction(PredictionId.New(), out _).Should().BeFalse();
    }

    [Fact]
    public void RecordPrediction_OtherSchema_Throws()
    {
        var other = FeatureSchema.CreateBuilder().Numeric("z").Build();
        var prediction = new Prediction(PredictionId.New(), "test", "1", T0, FeatureVector.Create(other, [1.0]), PredictionOutput.FromLabel(true));

        Store().Invoking(s => s.RecordPrediction(prediction)).Should().Throw<ArgumentException>().WithMessage("*schema*");
    }

    [Fact]
    public void Constructor_CapacityTimesFeaturesBeyondTheLargestArray_Throws()
    {
        var act = () => new InMemoryFeedbackStore(new FeedbackStoreOptions { PredictionCapacity = int.MaxValue / 2 }, Events.TwoNumbers);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*largest array*");
    }

    [Fact]
    public void Constructor_InvalidCapacity_Throws()
    {
        var act = () => Store(predictions: 0);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
