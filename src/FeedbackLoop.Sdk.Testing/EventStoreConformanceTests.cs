using System.Globalization;
using FeedbackLoop.Models;
using FeedbackLoop.Storage;
using Xunit;

namespace FeedbackLoop.Testing;

/// <summary>
/// The definition of a correct <see cref="IEventStore"/> and <see cref="ILabelledWindowSource"/>: inherit this class in an
/// xunit test project, create your store in <see cref="CreateStoreAsync"/>, and xunit runs every test below against it.
/// </summary>
/// <remarks>
/// <para>
/// Every test asks for a new, empty store and appends its own events, so tests do not depend on each other and may
/// run in any order; a store shared by tests (one database) must isolate them, for example with a schema or a
/// database per store. The suite relies on the contract only: batch outcomes, joins, statistics and labelled windows.
/// It never relies on how a store evicts, so a store without capacities passes it as well as a bounded one.
/// </para>
/// <para>
/// Times are fixed instants in 2025 with whole-second offsets, so a store may keep microseconds only. Every event
/// carries the time the loop received it (<see cref="LoopEvent.ReceivedAt"/>); <see cref="IEventStore.ExpireAsync"/> is
/// called with times at most a few hours after them, and a store's retention of predictions must keep them that long.
/// </para>
/// <para>xunit creates one instance of the derived class per test; the suite itself keeps no state between tests.</para>
/// </remarks>
public abstract partial class EventStoreConformanceTests
{
    /// <summary>The instant the tests' events are made around.</summary>
    private protected static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A store that hangs fails its test instead of hanging the run.</summary>
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Creates a new, empty store for one test, configured from <paramref name="options"/>.</summary>
    /// <param name="options">The schema, orphan TTL, per-prediction feedback limit and the capacities the test relies on.</param>
    /// <param name="cancellationToken">Cancelled when the test times out.</param>
    /// <returns>The store, and what to release when the test ends.</returns>
    protected abstract ValueTask<EventStoreUnderTest> CreateStoreAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken);

    /// <summary>A new prediction is stored.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_NewPrediction_Stored()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();

        var batch = await session.AppendAsync(Event(prediction));

        AssertOutcomes(batch, EventOutcome.Stored);
        Assert.Empty(batch.Joins);
        Assert.Equal(Statistics() with { Predictions = 1 }, await session.StatisticsAsync());
    }

    /// <summary>A prediction id that appears twice in one batch is stored once; the second is a duplicate.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_SamePredictionIdTwiceInOneBatch_SecondIsDuplicateAndStoredOnce()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();

        var batch = await session.AppendAsync(Event(prediction), Event(prediction));
        await session.AppendAsync(Event(GroundTruth(prediction, true, T0.AddMinutes(1))));

        AssertOutcomes(batch, EventOutcome.Stored, EventOutcome.Duplicate);
        Assert.Equal(
            Statistics() with { Predictions = 1, DuplicatePredictions = 1, FeedbackJoined = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
        Assert.Equal([prediction.Id], (await session.ReadAsync()).Select(e => e.Prediction.Id));
    }

    /// <summary>
    /// A prediction id appended again in a later batch is a duplicate and changes nothing, even when the re-sent
    /// prediction carries other values: the first one stays.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_SamePredictionIdInALaterBatch_DuplicateAndTheFirstIsKept()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction(version: "v1");
        var impostor = session.Prediction(id: prediction.Id, timestamp: T0.AddMinutes(5), version: "v2");

        await session.AppendAsync(Event(prediction));
        var again = await session.AppendAsync(Event(impostor));
        await session.AppendAsync(Event(GroundTruth(prediction, true, T0.AddMinutes(10))));

        AssertOutcomes(again, EventOutcome.Duplicate);
        var example = Assert.Single(await session.ReadAsync());
        Assert.Equal("v1", example.Prediction.ModelVersion);
        Assert.Equal(T0, example.Prediction.Timestamp);
        Assert.Equal(
            Statistics() with { Predictions = 1, DuplicatePredictions = 1, FeedbackJoined = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>
    /// A label (ground truth or correction) for a known prediction is joined and reported through
    /// <see cref="EventBatch.Joins"/> with the prediction's id, model version, timestamp and output.
    /// </summary>
    /// <param name="kind">The label's kind.</param>
    /// <returns>A task that completes when the test is done.</returns>
    [Theory]
    [InlineData(FeedbackKind.GroundTruth)]
    [InlineData(FeedbackKind.HumanCorrection)]
    public async Task AppendAsync_LabelForAKnownPrediction_JoinedAndReportedWithThePrediction(FeedbackKind kind)
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction(version: "v7", output: PredictionOutput.Binary(0.8));
        var label = kind == FeedbackKind.GroundTruth
            ? GroundTruth(prediction, false, T0.AddMinutes(3))
            : Feedback.Correction(prediction.Id, false, "reviewer:1", T0.AddMinutes(3));
        await session.AppendAsync(Event(prediction));

        var batch = await session.AppendAsync(Event(label));

        AssertOutcomes(batch, EventOutcome.Joined);
        AssertJoin(Assert.Single(batch.Joins), label, prediction);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>Feedback that is not a label (a rating, a flag) is joined but not reported as a join, and labels nothing.</summary>
    /// <param name="kind">The feedback's kind.</param>
    /// <returns>A task that completes when the test is done.</returns>
    [Theory]
    [InlineData(FeedbackKind.Rating)]
    [InlineData(FeedbackKind.Flag)]
    public async Task AppendAsync_NonLabelFeedbackForAKnownPrediction_JoinedWithoutAJoin(FeedbackKind kind)
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        await session.AppendAsync(Event(prediction));

        var batch = await session.AppendAsync(Event(NonLabel(kind, prediction.Id, T0.AddMinutes(1))));

        AssertOutcomes(batch, EventOutcome.Joined);
        Assert.Empty(batch.Joins);
        Assert.Equal(Statistics() with { Predictions = 1, FeedbackJoined = 1 }, await session.StatisticsAsync());
        Assert.Empty(await session.ReadAsync());
    }

    /// <summary>Feedback appended twice in one batch is applied once; the second is a duplicate and is not reported as a join again.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_SameFeedbackIdTwiceInOneBatch_SecondIsDuplicateAndAppliedOnce()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        var label = GroundTruth(prediction, true, T0.AddMinutes(1));

        var batch = await session.AppendAsync(Event(prediction), Event(label), Event(label));

        AssertOutcomes(batch, EventOutcome.Stored, EventOutcome.Joined, EventOutcome.Duplicate);
        AssertJoin(Assert.Single(batch.Joins), label, prediction);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 1, DuplicateFeedback = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>Joined feedback delivered again in a later batch is a duplicate: not joined again, not reported, and it does not replace a newer label.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_JoinedFeedbackDeliveredAgainLater_DuplicateAndAppliedOnce()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        var first = GroundTruth(prediction, true, T0.AddMinutes(1));
        var second = GroundTruth(prediction, false, T0.AddMinutes(2));
        await session.AppendAsync(Event(prediction), Event(first), Event(second));

        var again = await session.AppendAsync(Event(first, T0.AddMinutes(3)));

        AssertOutcomes(again, EventOutcome.Duplicate);
        Assert.Empty(again.Joins);
        var example = Assert.Single(await session.ReadAsync());
        Assert.Equal(Label.Binary(false), example.Label);
        Assert.Equal(
            Statistics() with { Predictions = 1, FeedbackJoined = 2, DuplicateFeedback = 1, LabelledPredictions = 1 },
            await session.StatisticsAsync());
    }

    /// <summary>
    /// A batch appended again after a failure (the loop resets its outcomes and retries) is a duplicate in every event:
    /// nothing is joined or reported again, and no counter changes but the duplicate counters.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_BatchAppendedAgainAfterAFailure_AllDuplicateAndOnlyDuplicateCountersChange()
    {
        await using var session = await StartAsync();
        var known = session.Prediction();
        var late = session.Prediction(timestamp: T0.AddMinutes(1));
        var unknown = PredictionId.New();
        var batch = Batch(
            Event(known),
            Event(GroundTruth(known, true, T0.AddMinutes(2))),
            Event(NonLabel(FeedbackKind.Rating, known.Id, T0.AddMinutes(2))),
            Event(GroundTruth(late.Id, false, T0.AddMinutes(3))),
            Event(Feedback.GroundTruth(unknown, true, T0.AddMinutes(3))),
            Event(late));
        await session.AppendAsync(batch);
        AssertOutcomes(
            batch, EventOutcome.Stored, EventOutcome.Joined, EventOutcome.Joined, EventOutcome.Orphaned, EventOutcome.Orphaned, EventOutcome.Stored);
        Assert.Equal(2, batch.Joins.Count);
        var before = await session.StatisticsAsync();

        batch.ResetOutcomes();
        await session.AppendAsync(batch);

        AssertOutcomes(batch, Enumerable.Repeat(EventOutcome.Duplicate, batch.Count).ToArray());
        Assert.Empty(batch.Joins);
        Assert.Equal(
            before with { DuplicatePredictions = before.DuplicatePredictions + 2, DuplicateFeedback = before.DuplicateFeedback + 4 },
            await session.StatisticsAsync());
    }

    /// <summary>A cancelled token makes <see cref="IEventStore.AppendAsync"/> throw <see cref="OperationCanceledException"/> and apply nothing.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task AppendAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        await using var session = await StartAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var batch = Batch(Event(session.Prediction()));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.Store.AppendAsync(batch, cancelled.Token));

        Assert.Equal(Statistics(), await session.StatisticsAsync());
    }

    /// <summary>A cancelled token makes <see cref="IEventStore.ExpireAsync"/> and <see cref="IEventStore.GetStatisticsAsync"/> throw <see cref="OperationCanceledException"/>.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ExpireAsyncAndGetStatisticsAsync_CancelledToken_ThrowOperationCanceledException()
    {
        await using var session = await StartAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.Store.ExpireAsync(T0, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.Store.GetStatisticsAsync(cancelled.Token));
    }

    private protected async Task<Session> StartAsync(EventStoreConformanceOptions? options = null)
    {
        options ??= new EventStoreConformanceOptions();
        var timeout = new CancellationTokenSource(TestTimeout);
        try
        {
            var target = await CreateStoreAsync(options, timeout.Token);
            Assert.NotNull(target);
            return new Session(target, options, timeout);
        }
        catch
        {
            timeout.Dispose();
            throw;
        }
    }

    /// <summary>All counters zero: what <c>with</c> expressions in the tests start from.</summary>
    private protected static EventStoreStatistics Statistics() => new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    private protected static LoopEvent Event(Prediction prediction, DateTimeOffset? receivedAt = null) =>
        LoopEvent.For(prediction, receivedAt ?? prediction.Timestamp);

    private protected static LoopEvent Event(Feedback feedback, DateTimeOffset? receivedAt = null) =>
        LoopEvent.For(feedback, receivedAt ?? feedback.Timestamp);

    private protected static EventBatch Batch(params LoopEvent[] events)
    {
        var batch = new EventBatch(events.Length);
        foreach (var item in events)
        {
            batch.Add(item);
        }

        return batch;
    }

    private protected static Feedback GroundTruth(Prediction prediction, bool label, DateTimeOffset timestamp) =>
        GroundTruth(prediction.Id, label, timestamp);

    private protected static Feedback GroundTruth(PredictionId predictionId, bool label, DateTimeOffset timestamp, string source = "ground-truth") =>
        Feedback.GroundTruth(predictionId, label, timestamp, source);

    private protected static Feedback NonLabel(FeedbackKind kind, PredictionId predictionId, DateTimeOffset timestamp) => kind switch
    {
        FeedbackKind.Rating => Feedback.Rating(predictionId, 4.0, "user", timestamp),
        FeedbackKind.Flag => Feedback.Flag(predictionId, "disputed", "user", timestamp),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a non-label kind."),
    };

    private protected static void AssertOutcomes(EventBatch batch, params EventOutcome[] expected) =>
        Assert.Equal(expected, Enumerable.Range(0, batch.Count).Select(batch.GetOutcome));

    private protected static void AssertJoin(JoinedLabel join, Feedback feedback, Prediction prediction)
    {
        Assert.Equal(feedback.Id, join.Feedback.Id);
        Assert.Equal(feedback.PredictionId, join.Feedback.PredictionId);
        Assert.Equal(feedback.Kind, join.Feedback.Kind);
        Assert.Equal(feedback.Value, join.Feedback.Value);
        Assert.Equal(new JoinedPrediction(prediction.Id, prediction.ModelVersion, prediction.Timestamp, prediction.Output), join.Prediction);
    }

    /// <summary>One test's store, the options it was made with, and the test's timeout.</summary>
    private protected sealed class Session(EventStoreUnderTest target, EventStoreConformanceOptions options, CancellationTokenSource timeout) : IAsyncDisposable
    {
        private EventStoreUnderTest _target = target;
        private int _predictions;

        public IEventStore Store => _target.Store;

        public ILabelledWindowSource Window => _target.Window;

        public EventStoreConformanceOptions Options => options;

        public CancellationToken Token => timeout.Token;

        /// <summary>A prediction with features of the session's schema that differ from one prediction to the next.</summary>
        public Prediction Prediction(
            DateTimeOffset? timestamp = null,
            string version = "v1",
            IReadOnlyDictionary<string, string>? segments = null,
            PredictionId? id = null,
            PredictionOutput? output = null)
        {
            var seed = ++_predictions;
            var vector = options.Schema.CreateVector();
            foreach (var feature in options.Schema.Features)
            {
                if (feature.Kind == FeatureKind.Numeric)
                {
                    vector.Set(feature.Name, seed + (0.25 * feature.Ordinal));
                }
                else
                {
                    vector.Set(feature.Name, string.Create(CultureInfo.InvariantCulture, $"c{seed}-{feature.Ordinal}"));
                }
            }

            return new Prediction(id ?? PredictionId.New(), "conformance", version, timestamp ?? T0, vector, output ?? PredictionOutput.Binary(0.75), segments);
        }

        public Task<EventBatch> AppendAsync(params LoopEvent[] events) => AppendAsync(Batch(events));

        /// <summary>Appends and checks the store reported an outcome for every event, and a reason for every rejection.</summary>
        public async Task<EventBatch> AppendAsync(EventBatch batch)
        {
            await _target.Store.AppendAsync(batch, Token);
            for (var i = 0; i < batch.Count; i++)
            {
                Assert.NotEqual(EventOutcome.Pending, batch.GetOutcome(i));
                if (batch.GetOutcome(i) == EventOutcome.Rejected)
                {
                    Assert.False(string.IsNullOrWhiteSpace(batch.GetReason(i)), $"event {i} was rejected without a reason");
                }
            }

            return batch;
        }

        public async Task<EventStoreStatistics> StatisticsAsync() => await _target.Store.GetStatisticsAsync(Token);

        public async Task<int> ExpireAsync(DateTimeOffset now) => await _target.Store.ExpireAsync(now, Token);

        public async Task<List<LabelledExample>> ReadAsync(LabelledWindowQuery? query = null)
        {
            List<LabelledExample> examples = [];
            await foreach (var example in _target.Window.ReadLabelledAsync(query ?? new LabelledWindowQuery(), Token))
            {
                examples.Add(example);
            }

            return examples;
        }

        /// <summary>Releases the store, as a process that stops does, and continues with the one <paramref name="reopen"/> opens on its data.</summary>
        public async Task RestartAsync(Func<EventStoreConformanceOptions, CancellationToken, ValueTask<EventStoreUnderTest>> reopen)
        {
            await _target.DisposeAsync();
            _target = await reopen(options, Token);
            Assert.NotNull(_target);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _target.DisposeAsync();
            }
            finally
            {
                timeout.Dispose();
            }
        }
    }
}
