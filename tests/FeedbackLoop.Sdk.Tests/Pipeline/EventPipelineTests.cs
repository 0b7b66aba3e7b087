using FeedbackLoop.Registry;
using FeedbackLoop.Models;
using FeedbackLoop.Pipeline;
using FeedbackLoop.Simulation;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Pipeline;

/// <summary>The request path hands events to the loop's consumer; what the host sees of that, end to end.</summary>
public class EventPipelineTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task RecordPrediction_HostReusesItsFeatureVector_RecordedEventKeepsTheValuesItWasGiven()
    {
        var sink = new RecordingSink();
        var store = new InMemoryEventStore(new FeedbackStoreOptions(), Events.TwoNumbers);
        await using var loop = LoopHarness.Builder(_time).AddSink(sink).UseStore(_ => store).Build();
        var vector = Events.Vector(x1: 0.25, x2: 1.0);
        var first = new Prediction(PredictionId.New(), "test", "host-1", _time.GetUtcNow(), vector, PredictionOutput.Binary(0.2));
        loop.RecordPrediction(first);

        vector.Set("x1", 0.75);
        var second = new Prediction(PredictionId.New(), "test", "host-1", _time.GetUtcNow(), vector, PredictionOutput.Binary(0.8));
        loop.RecordPrediction(second);
        loop.RecordFeedback(Feedback.GroundTruth(first.Id, false));
        loop.RecordFeedback(Feedback.GroundTruth(second.Id, true));
        await loop.FlushAsync(None);

        first.Features.GetNumeric("x1").Should().Be(0.25, "the prediction holds its own read-only copy");
        first.Features.IsReadOnly.Should().BeTrue();
        first.Features.Invoking(f => f.Set("x1", 9.0)).Should().Throw<InvalidOperationException>();
        sink.Predictions.Select(p => p.Prediction.Features.GetNumeric("x1")).Should().Equal(0.25, 0.75);
        var window = await ReadAllAsync(store);
        window.Select(e => e.Prediction.Features.GetNumeric("x1")).Should().Equal(0.25, 0.75);
    }

    [Fact]
    public async Task Predict_HostReusesItsVectorAndSegments_ReturnedPredictionIsImmutable()
    {
        await using var loop = LoopHarness.Builder(_time).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        var vector = Events.Vector(x1: 0.7);
        var segments = new Dictionary<string, string> { ["region"] = "eu" };

        var prediction = loop.Predict(vector, segments);
        vector.Set("x1", 0.1);
        segments["region"] = "us";

        prediction.Features.GetNumeric("x1").Should().Be(0.7);
        prediction.Segments["region"].Should().Be("eu");
    }

    [Fact]
    public async Task RecordFeedback_DefaultTimestamp_SinksAndStoreSeeTheReceiptTime()
    {
        var sink = new RecordingSink();
        await using var loop = LoopHarness.Builder(_time).AddSink(sink).Build();
        _time.Advance(TimeSpan.FromHours(3));

        loop.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true));
        loop.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true, timestamp: _time.Start));
        await loop.FlushAsync(None);

        sink.Feedback.Select(f => f.Feedback.Timestamp).Should().Equal(_time.GetUtcNow(), _time.Start);
        sink.Feedback.Select(f => f.Outcome).Should().OnlyContain(o => o == EventOutcome.Orphaned);
    }

    [Fact]
    public async Task Predict_IdAlreadyRecorded_ReportedAsDuplicateToSinksAndCounters()
    {
        var sink = new RecordingSink();
        var store = new InMemoryEventStore(new FeedbackStoreOptions(), Events.TwoNumbers);
        await using var loop = LoopHarness.Builder(_time).AddSink(sink).UseStore(_ => store).Build();
        await loop.PromoteAsync(new ThresholdModel(0.5).ToTrainedModel(), new AliasChange("host", "initial"), None);
        var id = PredictionId.FromKey("request-42");

        loop.Predict(Events.Vector(0.7), id: id);
        loop.Predict(Events.Vector(0.2), id: id);
        var statistics = await loop.StoreStatisticsAsync();

        statistics.Predictions.Should().Be(1);
        statistics.DuplicatePredictions.Should().Be(1);
        sink.Predictions.Select(p => p.Outcome).Should().Equal(EventOutcome.Stored, EventOutcome.Duplicate);
        (await ReadAllAsync(store)).Should().BeEmpty("neither prediction has a label; the second was never stored");
    }

    [Fact]
    public async Task BatchedSink_ReceivesEveryEventInOrderWithOutcomesAndJoins()
    {
        var sink = new CollectingBatchedSink();
        await using var loop = LoopHarness.Builder(_time).AddBatchedSink(sink).Build();
        var prediction = Events.Prediction(timestamp: _time.GetUtcNow());
        var early = Feedback.GroundTruth(PredictionId.New(), true);

        loop.RecordFeedback(early);
        loop.RecordPrediction(prediction);
        loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, false));
        loop.RecordPrediction(Events.Prediction(early.PredictionId, _time.GetUtcNow()));
        await loop.FlushAsync(None);

        sink.Outcomes.Should().Equal(EventOutcome.Orphaned, EventOutcome.Stored, EventOutcome.Joined, EventOutcome.Stored);
        sink.Joins.Should().Equal(prediction.Id, early.PredictionId);
    }

    [Fact]
    public async Task BatchedSinkThrows_ContainedAndReportedByTheNextCycle()
    {
        var recording = new RecordingSink();
        await using var loop = LoopHarness.Builder(_time).AddBatchedSink(new ThrowingBatchedSink()).AddSink(recording).Build();

        loop.RecordPrediction(Events.Prediction());
        await loop.FlushAsync(None);

        recording.Predictions.Should().ContainSingle();
        (await loop.RunCycleAsync(None)).Observed.ContainedFailures.Should().Be(1);
    }

    [Fact]
    public async Task PerCallDurability_RecordCallReturnsOnlyOnceItsEventIsStored()
    {
        var store = new GatedStore();
        await using var loop = LoopHarness.Builder(_time).UseStore(_ => store).Configure(o => o.Events.Durability = EventDurability.PerCall).Build();
        var prediction = Events.Prediction();

        var recording = Task.Run(() => loop.RecordPrediction(prediction));
        await store.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var returnedBeforeTheStore = recording.IsCompleted;
        store.Release();
        await recording.WaitAsync(TimeSpan.FromSeconds(10));

        returnedBeforeTheStore.Should().BeFalse("the consumer is still inside the store's append");
        (await loop.GetStatisticsAsync(None)).Store.Predictions.Should().Be(1, "it returned after the store applied it, without a flush");
    }

    [Fact]
    public async Task PerCallDurability_StoreThatDoesNotRecover_RecordCallThrowsAfterTheTimeoutAndTheEventStaysQueued()
    {
        var store = new GatedStore();
        await using var loop = LoopHarness.Builder(_time).UseStore(_ => store)
            .Configure(o => (o.Events.Durability, o.Events.PerCallTimeout) = (EventDurability.PerCall, TimeSpan.FromMilliseconds(100))).Build();

        loop.Invoking(l => l.RecordPrediction(Events.Prediction())).Should().Throw<TimeoutException>().WithMessage("*Do not acknowledge it yet*");
        store.Release();
        await loop.FlushAsync(None);

        (await loop.GetStatisticsAsync(None)).Store.Predictions.Should().Be(1, "the event stayed queued and was stored once the store recovered");
    }

    [Fact]
    public async Task PerCallDurability_RecordCallFromInsideTheLoopsOwnSink_RefusedAndContained()
    {
        var sink = new ReentrantSink();
        await using var loop = LoopHarness.Builder(_time).AddSink(sink).Configure(o => o.Events.Durability = EventDurability.PerCall).Build();
        sink.Loop = loop;

        loop.RecordPrediction(Events.Prediction());

        sink.Refusal.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("per-call durability");
        (await loop.GetStatisticsAsync(None)).Store.Predictions.Should().Be(1, "the sink's own call was refused instead of waiting for itself");
    }

    [Fact]
    public void Options_UndefinedDurability_RefusedWhenBuilt() =>
        LoopHarness.Builder(_time).Configure(o => o.Events.Durability = (EventDurability)7)
            .Invoking(b => b.Build()).Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Events.Durability*");

    [Fact]
    public async Task StoreFailsThenRecovers_BatchRetriedNothingLostAndFailuresCounted()
    {
        var store = new FlakyStore(failures: 3);
        await using var loop = LoopHarness.Builder(_time).UseStore(_ => store).Build();
        var prediction = Events.Prediction();

        loop.RecordPrediction(prediction);
        loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, true));
        await loop.FlushAsync(None);
        var statistics = await loop.GetStatisticsAsync(None);

        statistics.StoreFailures.Should().Be(3);
        statistics.EventsApplied.Should().Be(2);
        statistics.Store.Predictions.Should().Be(1);
        statistics.Store.FeedbackJoined.Should().Be(1);
    }

    [Fact]
    public async Task StoreRefusesWrites_HealthDegradedWithTheFailure_HealthyAfterTheRetrySucceeds_AndTheNextReportCountsThem()
    {
        var store = new SwitchableStore();
        await using var loop = LoopHarness.Builder(_time).UseStore(_ => store).Build();
        loop.Health.Should().Be(new LoopHealth(LoopHealthStatus.Healthy, 0, null, null, 0));

        loop.RecordPrediction(Events.Prediction());
        (await store.Refused.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        (await store.Refused.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the write is retried");
        var degraded = loop.Health;
        store.Failing = false;
        await loop.FlushAsync(None);

        degraded.Status.Should().Be(LoopHealthStatus.Degraded);
        degraded.ConsecutiveStoreFailures.Should().BeGreaterThanOrEqualTo(1);
        degraded.FailingSince.Should().Be(_time.GetUtcNow());
        degraded.LastStoreFailure.Should().Be("IOException: database is locked");
        degraded.EventsQueued.Should().Be(1, "the event waits while its write is retried");
        loop.Health.Should().Be(new LoopHealth(LoopHealthStatus.Healthy, 0, null, null, 0));
        (await loop.GetStatisticsAsync(None)).Store.Predictions.Should().Be(1);
        (await loop.RunCycleAsync(None)).Observed.StoreFailures.Should().Be(store.Failures);
        (await loop.RunCycleAsync(None)).Observed.StoreFailures.Should().Be(0, "failures are reported once");
    }

    [Fact]
    public async Task QueueFull_ThrowMode_ThrowsTypedExceptionAndRecordsNothingMore()
    {
        var store = new GatedStore();
        await using var loop = LoopHarness.Builder(_time).UseStore(_ => store)
            .Configure(o =>
            {
                o.Events.Capacity = 4;
                o.Events.MaxBatchSize = 1;
                o.Events.FullMode = EventQueueFullMode.Throw;
            })
            .Build();

        // The consumer takes the first event and blocks in the store; four more fill the ring.
        loop.RecordPrediction(Events.Prediction());
        await store.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 4; i++)
        {
            loop.RecordPrediction(Events.Prediction());
        }

        loop.Invoking(l => l.RecordPrediction(Events.Prediction())).Should().Throw<EventQueueFullException>().WithMessage("*full*not recorded*");
        store.Release();
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(5, "every accepted event is applied, the refused one is not");
    }

    [Fact]
    public async Task QueueFull_WaitMode_RecordCallWaitsUntilTheConsumerFreesRoom()
    {
        var store = new GatedStore();
        await using var loop = LoopHarness.Builder(_time).UseStore(_ => store)
            .Configure(o =>
            {
                o.Events.Capacity = 2;
                o.Events.MaxBatchSize = 1;
            })
            .Build();
        loop.RecordPrediction(Events.Prediction());
        await store.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        loop.RecordPrediction(Events.Prediction());
        loop.RecordPrediction(Events.Prediction());

        var blocked = Task.Run(() => loop.RecordPrediction(Events.Prediction()));
        await Task.Delay(100);
        blocked.IsCompleted.Should().BeFalse("the ring is full and the consumer is held in the store");

        store.Release();
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(4);
    }

    [Fact]
    public async Task DisposeAsync_AppliesEverythingAcceptedThenRefusesNewEvents()
    {
        var store = new InMemoryEventStore(new FeedbackStoreOptions(), Events.TwoNumbers);
        var loop = LoopHarness.Builder(_time).UseStore(_ => store).Build();
        for (var i = 0; i < 1_000; i++)
        {
            loop.RecordPrediction(Events.Prediction());
        }

        await loop.DisposeAsync();

        (await store.GetStatisticsAsync(None)).Predictions.Should().Be(1_000);
        loop.Invoking(l => l.RecordPrediction(Events.Prediction())).Should().Throw<ObjectDisposedException>();
        await loop.Invoking(l => l.FlushAsync(None)).Should().ThrowAsync<ObjectDisposedException>();
        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true))).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task DisposeAsync_WhileThreadsRecord_EveryAcceptedEventIsAppliedAndNoneHangs()
    {
        for (var round = 0; round < 10; round++)
        {
            var store = new InMemoryEventStore(new FeedbackStoreOptions(), Events.TwoNumbers);
            var loop = LoopHarness.Builder(_time).UseStore(_ => store).Build();
            var accepted = 0;
            var producers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
            {
                try
                {
                    while (true)
                    {
                        loop.RecordPrediction(Events.Prediction());
                        Interlocked.Increment(ref accepted);
                    }
                }
                catch (ObjectDisposedException)
                {
                }
            })).ToArray();
            await Task.Delay(5);

            await loop.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(30));

            (await store.GetStatisticsAsync(None)).Predictions.Should().Be(Volatile.Read(ref accepted), "round {0}: an accepted event is never dropped", round);
        }
    }

    [Fact]
    public async Task FlushAsync_ManyThreadsRecording_CompletesOnlyAfterEverythingRecordedBeforeIt()
    {
        await using var loop = LoopHarness.Builder(_time).Build();
        const int Threads = 4;
        const int PerThread = 20_000;

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                var prediction = Events.Prediction();
                loop.RecordPrediction(prediction);
                loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, true));
            }
        })));
        await loop.FlushAsync(None);
        var statistics = await loop.GetStatisticsAsync(None);

        statistics.EventsRecorded.Should().Be(2L * Threads * PerThread);
        statistics.EventsApplied.Should().Be(statistics.EventsRecorded);
        statistics.EventsQueued.Should().Be(0);
        statistics.Store.FeedbackJoined.Should().Be(Threads * PerThread);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    public async Task RecordFeedback_UndefinedKind_ThrowsBeforeAnythingIsStored(int kind)
    {
        await using var loop = LoopHarness.Builder(_time).Build();
        var prediction = Events.Prediction();
        loop.RecordPrediction(prediction);

        var act = () => loop.RecordFeedback(new Feedback(FeedbackId.New(), prediction.Id, (FeedbackKind)kind, true, "src"));

        act.Should().Throw<ArgumentException>().WithMessage($"*kind {kind} is not a defined*");
        (await loop.StoreStatisticsAsync()).FeedbackJoined.Should().Be(0);
    }

    [Fact]
    public void Feedback_EmptyPredictionId_Throws() =>
        FluentActions.Invoking(() => Feedback.GroundTruth(new PredictionId(Guid.Empty), true))
            .Should().Throw<ArgumentException>().WithMessage("*prediction id cannot be empty*");

    [Fact]
    public void Prediction_EmptyId_Throws() =>
        FluentActions.Invoking(() => Events.Prediction(new PredictionId(Guid.Empty)))
            .Should().Throw<ArgumentException>().WithMessage("*prediction id cannot be empty*");

    [Fact]
    public void FeatureVector_EmptyCategory_ThrowsLikeAnEmptyCategoricalLabel()
    {
        var schema = FeatureSchema.CreateBuilder().Categorical("region").Build();

        schema.CreateVector().Invoking(v => v.Set("region", string.Empty)).Should().Throw<FeatureValidationException>().WithMessage("*'region'*empty*");
        FluentActions.Invoking(() => FeatureVector.Create(schema, [], [string.Empty])).Should().Throw<FeatureValidationException>();
        FluentActions.Invoking(() => Label.Categorical(string.Empty)).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("regression", "*Binary labels, not Numeric*")]
    [InlineData("class", "*Binary labels, not Categorical*")]
    [InlineData("none", "*Binary labels, not None*")]
    [InlineData("probabilities", "*Binary labels, not Categorical*")]
    public async Task RecordPrediction_OutputOfAnotherTask_Throws(string output, string message)
    {
        await using var loop = LoopHarness.Builder(_time).Build();
        var value = output switch
        {
            "regression" => PredictionOutput.Regression(7.5),
            "class" => PredictionOutput.FromLabel(Label.Categorical("cat")),
            "none" => default,
            _ => PredictionOutput.Multiclass(ModelTask.Multiclass("a", "b"), [0.2, 0.8]),
        };
        var prediction = new Prediction(PredictionId.New(), "test", "1", default, Events.Vector(), value);

        loop.Invoking(l => l.RecordPrediction(prediction)).Should().Throw<InvalidLabelException>().WithMessage(message);
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(0);
    }

    [Theory]
    [InlineData(7.5)]
    [InlineData(-0.1)]
    [InlineData(double.PositiveInfinity)]
    public async Task RecordPrediction_ScoreNotAProbability_Throws(double score)
    {
        await using var loop = LoopHarness.Builder(_time).Build();
        var prediction = new Prediction(PredictionId.New(), "test", "1", default, Events.Vector(), PredictionOutput.Restore(true, score, []));

        loop.Invoking(l => l.RecordPrediction(prediction)).Should().Throw<InvalidLabelException>().WithMessage("*not a probability*");
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(0);
    }

    [Fact]
    public async Task PromoteAsync_PredictorWithoutATask_IsRefused()
    {
        await using var loop = LoopHarness.Builder(_time).Build();

        await loop.Invoking(l => l.PromoteAsync(new TrainedModel(new TaskModel(null!), new byte[] { 1 }, "no task"), new AliasChange("host", "initial"), None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*performs a null task*");
    }

    [Fact]
    public async Task PromoteAsync_ModelOfAnotherTask_IsRefusedAndNothingIsRegistered()
    {
        var registry = new InMemoryModelRegistry();
        await using var loop = LoopHarness.Builder(_time).UseRegistry(registry).Build();
        var multiclass = new TaskModel(ModelTask.Multiclass("a", "b"));

        await loop.Invoking(l => l.PromoteAsync(new TrainedModel(multiclass, new byte[] { 1 }, "multiclass"), new AliasChange("host", "initial"), None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*performs a multiclass[a, b] task*loop 'test' is binary*");
        loop.Champion.Should().BeNull();
        (await registry.ListVersionsAsync("test", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Predict_ChampionReturnsACategoricalOutputInABinaryLoop_ThrowsInsteadOfRecordingNonsense()
    {
        await using var loop = LoopHarness.Builder(_time).Build();
        await loop.PromoteAsync(new TrainedModel(new CategoricalModel(), new byte[] { 1 }, "categorical"), new AliasChange("host", "initial"), None);

        loop.Invoking(l => l.Predict(Events.Vector())).Should().Throw<InvalidOperationException>().WithMessage("*does not fit*Categorical*");
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(0);
    }

    [Fact]
    public async Task RecordCalls_StringsBeyondTheLimits_ThrowNamingTheLimit()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x1").Categorical("region").Build();
        await using var loop = new FeedbackLoopBuilder("limits").WithSchema(schema).UseTimeProvider(_time)
            .Configure(o =>
            {
                o.Limits.MaxStringLength = 8;
                o.Limits.MaxSegments = 1;
            })
            .Build();
        var vector = FeatureVector.Create(schema, [1.0], ["eu"]);
        var longText = new string('x', 9);
        Prediction With(FeatureVector features, IReadOnlyDictionary<string, string>? segments = null, string version = "1") =>
            new(PredictionId.New(), "limits", version, default, features, PredictionOutput.Binary(0.5), segments);

        loop.Invoking(l => l.RecordPrediction(With(FeatureVector.Create(schema, [1.0], [longText]))))
            .Should().Throw<ArgumentException>().WithMessage("*categorical feature value has 9 characters*at most 8*MaxStringLength*");
        loop.Invoking(l => l.RecordPrediction(With(vector, new Dictionary<string, string> { ["channel"] = longText })))
            .Should().Throw<ArgumentException>().WithMessage("*segment 'channel'*9 characters*");
        loop.Invoking(l => l.RecordPrediction(With(vector, new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" })))
            .Should().Throw<ArgumentException>().WithMessage("*2 segment tags*at most 1*MaxSegments*");
        loop.Invoking(l => l.RecordPrediction(With(vector, version: longText)))
            .Should().Throw<ArgumentException>().WithMessage("*model version*");
        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true, source: longText)))
            .Should().Throw<ArgumentException>().WithMessage("*feedback source*");
        loop.Invoking(l => l.RecordFeedback(Feedback.Flag(PredictionId.New(), longText, "user")))
            .Should().Throw<ArgumentException>().WithMessage("*feedback value*");
        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(0);
    }

    // Built here, not passed as theory data: xunit's serialization of test cases replaces lone surrogates.
    private static readonly string[] Unstorable = ["a\0b", "\uD800", "x\uDC00y", "\uD83D\uD83D"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RecordCalls_StringsStoresCannotKeep_ThrowNamingTheValue(int which)
    {
        var text = Unstorable[which];
        var schema = FeatureSchema.CreateBuilder().Numeric("x1").Categorical("region").Build();
        await using var loop = new FeedbackLoopBuilder("text").WithSchema(schema).UseTimeProvider(_time).Build();
        var vector = FeatureVector.Create(schema, [1.0], ["eu"]);
        Prediction With(FeatureVector features, IReadOnlyDictionary<string, string>? segments = null, string version = "1") =>
            new(PredictionId.New(), "text", version, default, features, PredictionOutput.Binary(0.5), segments);

        loop.Invoking(l => l.RecordPrediction(With(FeatureVector.Create(schema, [1.0], [text]))))
            .Should().Throw<ArgumentException>().WithMessage("*categorical feature value holds a NUL character or an unpaired UTF-16 surrogate*");
        loop.Invoking(l => l.RecordPrediction(With(vector, new Dictionary<string, string> { ["channel"] = text })))
            .Should().Throw<ArgumentException>().WithMessage("*segment 'channel' holds*");
        loop.Invoking(l => l.RecordPrediction(With(vector, new Dictionary<string, string> { [text] = "web" })))
            .Should().Throw<ArgumentException>().WithMessage("*segment key holds*");
        loop.Invoking(l => l.RecordPrediction(With(vector, version: text)))
            .Should().Throw<ArgumentException>().WithMessage("*model version holds*");
        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(PredictionId.New(), true, source: text)))
            .Should().Throw<ArgumentException>().WithMessage("*feedback source holds*");
        loop.Invoking(l => l.RecordFeedback(Feedback.Flag(PredictionId.New(), text, "user")))
            .Should().Throw<ArgumentException>().WithMessage("*feedback value holds*");
        (await loop.GetStatisticsAsync(None)).EventsRecorded.Should().Be(0);
    }

    [Fact]
    public async Task RecordCalls_WellFormedSurrogatePairs_Accepted()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x1").Categorical("region").Build();
        await using var loop = new FeedbackLoopBuilder("text").WithSchema(schema).UseTimeProvider(_time).Build();

        loop.RecordPrediction(new Prediction(PredictionId.New(), "text", "1", default, FeatureVector.Create(schema, [1.0], ["🔑 é"]), PredictionOutput.Binary(0.5)));
        await loop.FlushAsync(None);

        (await loop.StoreStatisticsAsync()).Predictions.Should().Be(1);
    }

    private static async Task<List<LabelledExample>> ReadAllAsync(InMemoryEventStore store)
    {
        List<LabelledExample> examples = [];
        await foreach (var example in store.ReadLabelledAsync(new LabelledWindowQuery(), None))
        {
            examples.Add(example);
        }

        return examples;
    }

    /// <summary>A predictor that declares the binary task and returns a class: only its outputs can give it away.</summary>
    private sealed class CategoricalModel : IPredictor
    {
        public ModelTask Task => ModelTask.Binary;

        public PredictionOutput Predict(FeatureVector features) => PredictionOutput.FromLabel(Label.Categorical("cat"));
    }

    private sealed class TaskModel(ModelTask task) : IPredictor
    {
        public ModelTask Task => task;

        public PredictionOutput Predict(FeatureVector features) => PredictionOutput.FromLabel(Label.Categorical("a"));
    }

    private sealed class CollectingBatchedSink : IBatchedFeedbackSink
    {
        public List<EventOutcome> Outcomes { get; } = [];

        public List<PredictionId> Joins { get; } = [];

        public ValueTask EmitBatchAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                Outcomes.Add(batch.GetOutcome(i));
            }

            Joins.AddRange(batch.Joins.Select(j => j.Prediction.Id));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowingBatchedSink : IBatchedFeedbackSink
    {
        public ValueTask EmitBatchAsync(EventBatch batch, CancellationToken cancellationToken) => throw new IOException("exporter down");
    }

    /// <summary>A store whose first appends fail (a locked database), then work.</summary>
    private sealed class FlakyStore(int failures) : DelegatingEventStore(Events.TwoNumbers)
    {
        private int _failuresLeft = failures;

        public override ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref _failuresLeft) >= 0 ? throw new IOException("database is locked") : base.AppendAsync(batch, cancellationToken);
    }

    /// <summary>A store that refuses every write while <see cref="Failing"/> (a locked database), and counts the refusals.</summary>
    private sealed class SwitchableStore() : DelegatingEventStore(Events.TwoNumbers)
    {
        private int _failures;
        private bool _failing = true;

        public bool Failing
        {
            get => Volatile.Read(ref _failing);
            set => Volatile.Write(ref _failing, value);
        }

        public SemaphoreSlim Refused { get; } = new(0);

        public int Failures => Volatile.Read(ref _failures);

        public override ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            if (!Failing)
            {
                return base.AppendAsync(batch, cancellationToken);
            }

            Interlocked.Increment(ref _failures);
            Refused.Release();
            throw new IOException("database is locked");
        }
    }

    /// <summary>A sink that records feedback into its own loop from inside the consumer, and keeps what that call threw.</summary>
    private sealed class ReentrantSink : IFeedbackSink
    {
        public IFeedbackLoop? Loop { get; set; }

        public Exception? Refusal { get; private set; }

        public void OnPrediction(Prediction prediction, EventOutcome outcome)
        {
            try
            {
                Loop!.RecordFeedback(Feedback.GroundTruth(prediction.Id, true));
            }
            catch (InvalidOperationException exception)
            {
                Refusal = exception;
            }
        }

        public void OnFeedback(Feedback feedback, EventOutcome outcome)
        {
        }
    }

    /// <summary>A store that holds the consumer inside its first append until released.</summary>
    private sealed class GatedStore() : DelegatingEventStore(Events.TwoNumbers)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SemaphoreSlim Entered { get; } = new(0);

        public void Release() => _release.TrySetResult();

        public override async ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            Entered.Release();
            await _release.Task.WaitAsync(cancellationToken);
            await base.AppendAsync(batch, cancellationToken);
        }
    }
}
