using System.Diagnostics;
using FeedbackLoop.Models;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.Storage;
using Npgsql;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>Tests that hold a transaction open run alone: an open transaction holds back the stream of every loop on the server.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeldTransactions
{
    public const string Name = "PostgreSQL transactions held open";
}

/// <summary>What the PostgreSQL event store adds to the contract: instances share one loop's events, and values are stored literally.</summary>
[Collection(HeldTransactions.Name)]
public sealed class PostgreSqlEventStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x").Categorical("city").Build();
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TemporarySchema _schema = new();

    public void Dispose() => _schema.Dispose();

    [Fact]
    public async Task TwoInstances_FeedbackReceivedByOneJoinsThePredictionOfTheOther_AndAnEventBothReceiveIsStoredOnce()
    {
        await using var otherSource = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        var first = Store(_schema.DataSource);
        var second = Store(otherSource);
        var prediction = Prediction(0, "oslo");
        var early = Feedback.GroundTruth(Prediction(1, "rome").Id, true);
        var label = Feedback.GroundTruth(prediction.Id, false);

        await Append(first, LoopEvent.For(prediction, Start), LoopEvent.For(early, Start));
        var joined = await Append(second, LoopEvent.For(label, Start), LoopEvent.For(prediction, Start));
        var again = await Append(first, LoopEvent.For(label, Start));

        joined.GetOutcome(0).Should().Be(EventOutcome.Joined, "the prediction was stored by the other instance");
        joined.GetOutcome(1).Should().Be(EventOutcome.Duplicate, "both instances received the prediction; it is stored once");
        joined.Joins.Should().ContainSingle().Which.Prediction.Should().Be(new JoinedPrediction(prediction.Id, prediction.ModelVersion, prediction.Timestamp, prediction.Output));
        again.GetOutcome(0).Should().Be(EventOutcome.Duplicate);
        (await first.GetStatisticsAsync(None)).Should().Be(await second.GetStatisticsAsync(None), "the counters are the loop's, not an instance's");
        (await second.GetStatisticsAsync(None)).OrphansPending.Should().Be(1, "the early label waits in the database for any instance to store its prediction");
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.predictions;")).Should().Be(1L);
    }

    [Fact]
    public async Task ConcurrentAppendsFromTwoInstances_EachEventOnceAndEveryLabelJoined()
    {
        await using var otherSource = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        var stores = new[] { Store(_schema.DataSource), Store(otherSource) };
        var predictions = Enumerable.Range(0, 400).Select(i => Prediction(i, "c" + (i % 7))).ToArray();
        var labels = predictions.Select(p => Feedback.GroundTruth(p.Id, p.Output.Score > 0.5)).ToArray();
        var random = new Random(3);

        // Every event to both instances, in a different random order each, in batches of 25.
        await Task.WhenAll(stores.Select(async store =>
        {
            var events = predictions.Select(p => LoopEvent.For(p, Start)).Concat(labels.Select(l => LoopEvent.For(l, Start))).ToArray();
            lock (random)
            {
                random.Shuffle(events);
            }

            foreach (var chunk in events.Chunk(25))
            {
                await Append(store, chunk);
            }
        }));

        var statistics = await stores[0].GetStatisticsAsync(None);
        (statistics.Predictions, statistics.DuplicatePredictions, statistics.FeedbackJoined, statistics.DuplicateFeedback, statistics.OrphansPending, statistics.LabelledPredictions)
            .Should().Be((400L, 400L, 400L, 400L, 0L, 400L));
        List<LabelledExample> window = [];
        await foreach (var example in stores[1].ReadLabelledAsync(new LabelledWindowQuery(), None))
        {
            window.Add(example);
        }

        window.Select(e => e.Prediction.Id).Should().OnlyHaveUniqueItems().And.HaveCount(400);
        window.Should().OnlyContain(e => e.Label == Label.Binary(e.Prediction.Output.Score > 0.5));
    }

    [Fact]
    public async Task SqlLookingStrings_AreStoredLiterally()
    {
        var store = Store(_schema.DataSource);
        var prediction = new Prediction(
            PredictionId.New(), "loop", "v'; DROP TABLE predictions; --", Start, FeatureVector.Create(Schema, [0.5], ["x'); DELETE FROM feedback; --"]), PredictionOutput.Binary(0.5),
            new Dictionary<string, string> { ["region'--"] = "'; TRUNCATE event_counters; --" });

        await Append(store, LoopEvent.For(prediction, Start), LoopEvent.For(Feedback.GroundTruth(prediction.Id, true, source: "s'); DROP SCHEMA x; --"), Start));

        List<LabelledExample> window = [];
        await foreach (var example in store.ReadLabelledAsync(new LabelledWindowQuery(), None))
        {
            window.Add(example);
        }

        var stored = window.Should().ContainSingle().Which.Prediction;
        stored.ModelVersion.Should().Be(prediction.ModelVersion);
        stored.Features.Categorical[0].Should().Be("x'); DELETE FROM feedback; --");
        stored.Segments["region'--"].Should().Be("'; TRUNCATE event_counters; --");
    }

    [Fact]
    public async Task Retention_MoreThanOneChunkOfOldPredictions_AllDeletedWithTheirFeedback_CountersKept()
    {
        var store = new PostgreSqlEventStore(_schema.DataSource, "loop", Schema, retainFor: TimeSpan.FromDays(1), databaseSchema: _schema.Name);
        var old = Enumerable.Range(0, 12_500).Select(i => Prediction(i, "old")).ToArray();
        var recent = Enumerable.Range(0, 10)
            .Select(i => new Prediction(PredictionId.New(), "loop", "1", Start.AddDays(10), FeatureVector.Create(Schema, [0.5], ["recent"]), PredictionOutput.Binary(0.5)))
            .ToArray();
        foreach (var chunk in old.Concat(recent).Chunk(2_500))
        {
            await Append(store, [.. chunk.Select(p => LoopEvent.For(p, Start)), .. chunk.Where((_, i) => i % 2 == 0).Select(p => LoopEvent.For(Feedback.GroundTruth(p.Id, true), Start))]);
        }

        var expired = await store.ExpireAsync(Start.AddDays(10), None);
        var statistics = await store.GetStatisticsAsync(None);

        expired.Should().Be(0, "no orphan expired");
        (statistics.Predictions, statistics.PredictionsEvicted, statistics.LabelledPredictions).Should().Be((12_510L, 12_500L, 5L), "the 12,500 old ones went, in two chunks and a short one; 5 of the recent ones are labelled");
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.predictions;")).Should().Be(10L);
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.feedback;")).Should().Be(5L, "the feedback of deleted predictions went with them");
    }

    [Fact]
    public async Task PredictionSentAgainToAWriterThatDoesNotRememberIt_Duplicate_StoredOnce()
    {
        var prediction = Prediction(0, "oslo");
        await Append(Store(_schema.DataSource), LoopEvent.For(prediction, Start));
        var fresh = Store(_schema.DataSource);

        var again = await Append(fresh, LoopEvent.For(Prediction(1, "rome"), Start), LoopEvent.For(prediction, Start));

        again.GetOutcome(0).Should().Be(EventOutcome.Stored);
        again.GetOutcome(1).Should().Be(EventOutcome.Duplicate, "the table's key refused what the writer took for new, and the batch was decided again");
        (await fresh.GetStatisticsAsync(None)).Should().Match<EventStoreStatistics>(s => s.Predictions == 2 && s.DuplicatePredictions == 1);
    }

    [Fact]
    public async Task BatchFailingAfterItsDecisions_NothingRemembered_ItsLabelJoinsWhenSentAgain()
    {
        var store = Store(_schema.DataSource);
        var prediction = Prediction(0, "oslo");
        await Append(store, LoopEvent.For(prediction, Start));
        var label = Feedback.GroundTruth(prediction.Id, true);
        var unstorable = new Prediction(PredictionId.New(), "loop", "v\0", Start, FeatureVector.Create(Schema, [0.5], ["x"]), PredictionOutput.Binary(0.5));

        var failing = () => Append(store, LoopEvent.For(label, Start), LoopEvent.For(unstorable, Start));
        await failing.Should().ThrowAsync<PostgreSqlStoreException>("PostgreSQL text cannot hold NUL");
        var again = await Append(store, LoopEvent.For(label, Start));

        again.GetOutcome(0).Should().Be(EventOutcome.Joined, "the failed attempt's decision about the label was not kept");
        again.Joins.Should().ContainSingle();
    }

    [Fact]
    public async Task PredictionDeletedByAnotherWritersRetention_ItsLabelWaitsAsAnOrphan()
    {
        var writer = Store(_schema.DataSource);
        var prediction = Prediction(0, "oslo");
        await Append(writer, LoopEvent.For(prediction, Start));
        var retaining = new PostgreSqlEventStore(_schema.DataSource, "loop", Schema, retainFor: TimeSpan.FromDays(1), databaseSchema: _schema.Name);
        await retaining.ExpireAsync(Start.AddDays(2), None);

        var late = await Append(writer, LoopEvent.For(Feedback.GroundTruth(prediction.Id, true), Start));

        late.GetOutcome(0).Should().Be(EventOutcome.Orphaned, "the writer forgot what the other's retention deleted");
    }

    [Fact]
    public async Task FeedbackAnotherWriterApplied_CountsForTheLimitAndTheLabelledCount_OfAWriterThatRemembersThePrediction_WhileATransactionStaysOpen()
    {
        // A write transaction left open elsewhere on the server holds the stream's horizon back all along.
        await using var connection = await _schema.DataSource.OpenConnectionAsync();
        await using var open = await connection.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id();", connection))
        {
            await xid.ExecuteScalarAsync();
        }

        var options = new FeedbackStoreOptions { MaxFeedbackPerPrediction = 2 };
        var first = new PostgreSqlEventStore(_schema.DataSource, "loop", Schema, options, databaseSchema: _schema.Name);
        var second = new PostgreSqlEventStore(_schema.DataSource, "loop", Schema, options, databaseSchema: _schema.Name);
        var (remembered, other) = (Prediction(0, "oslo"), Prediction(1, "rome"));
        await Append(first, LoopEvent.For(remembered, Start));
        await Append(second, LoopEvent.For(Feedback.GroundTruth(remembered.Id, true), Start), LoopEvent.For(Feedback.Flag(remembered.Id, "odd", "ops"), Start), LoopEvent.For(other, Start));

        var late = await Append(first, LoopEvent.For(Feedback.Correction(remembered.Id, false, "reviewer"), Start), LoopEvent.For(Feedback.GroundTruth(other.Id, true), Start));

        late.GetOutcome(0).Should().Be(EventOutcome.Rejected, "the other writer's two feedback events reached the limit");
        late.GetOutcome(1).Should().Be(EventOutcome.Joined, "a prediction the other writer stored is looked up and joined");
        late.Joins.Should().ContainSingle().Which.Prediction.Should().Be(new JoinedPrediction(other.Id, other.ModelVersion, other.Timestamp, other.Output));
        (await first.GetStatisticsAsync(None)).LabelledPredictions.Should().Be(2);
    }

    [Fact]
    public async Task DatabaseRestoredToAnEarlierState_TheWriterForgetsWhatItRemembers()
    {
        var writer = Store(_schema.DataSource);
        var prediction = Prediction(0, "oslo");
        await Append(writer, LoopEvent.For(prediction, Start));

        // A restore from a backup taken before the prediction: its row and its count are gone.
        await _schema.ScalarAsync("DELETE FROM {schema}.predictions; UPDATE {schema}.event_counts SET predictions = 0;");
        var late = await Append(writer, LoopEvent.For(Feedback.GroundTruth(prediction.Id, true), Start));

        late.GetOutcome(0).Should().Be(EventOutcome.Orphaned, "the loop's count of stored predictions went back, so the writer's memory no longer stands for the database");
    }

    [Fact]
    public async Task WriterStillInItsTransaction_HoldsTheStreamBack_ThenEveryEventIsReadOnceInPositionOrder()
    {
        var store = Store(_schema.DataSource);
        var (first, slow, later) = (Prediction(0, "first"), Prediction(1, "slow"), Prediction(2, "later"));
        await Append(store, LoopEvent.For(first, Start));
        var from = await store.ReadAppliedAsync(0, new EventBatch(), 1, predictions: true, None) - 1;

        // Another writer's append that took its transaction id and position, and has not committed yet.
        await using var connection = await _schema.DataSource.OpenConnectionAsync();
        await using var running = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            $$"""
            INSERT INTO {{_schema.Name}}.predictions (loop, id, seq, model, model_version, ts, numeric_features, categorical_features, label_kind, label_number, label_category, score, probabilities, segment_keys, segment_values)
            VALUES ('loop', @id, pg_current_xact_id()::text::bigint << 24, 'loop', '1', 0, '{0.5}', '{slow}', 1, 1, NULL, 0.5, '{0.5, 0.5}', '{}', '{}');
            """,
            connection))
        {
            insert.Parameters.AddWithValue("id", slow.Id.Value);
            await insert.ExecuteNonQueryAsync();
        }

        await Append(store, LoopEvent.For(later, Start));
        var (during, position) = await ReadStream(store, from, until: batch => batch.Count >= 1);
        await running.CommitAsync();
        var (after, _) = await ReadStream(store, position, until: batch => batch.Count >= 2);

        during.Select(e => e.Prediction!.Id).Should().Equal([first.Id], "the later append committed, but a transaction with a smaller position still runs");
        after.Select(e => e.Prediction!.Id).Should().Equal([slow.Id, later.Id], "once it committed, its prediction comes first, and nothing is read twice or skipped");
    }

    [Fact]
    public async Task OrphanWhosePredictionAnotherInstanceStoredAtTheSameMoment_JoinedByTheNextExpiry_UpToTheLimit()
    {
        var roomy = new PostgreSqlEventStore(_schema.DataSource, "loop", Schema, new FeedbackStoreOptions { MaxFeedbackPerPrediction = 3 }, databaseSchema: _schema.Name);
        var store = new PostgreSqlEventStore(_schema.DataSource, "loop", Schema, new FeedbackStoreOptions { MaxFeedbackPerPrediction = 2 }, databaseSchema: _schema.Name);
        var (raced, full) = (Prediction(0, "oslo"), Prediction(1, "rome"));
        await Append(roomy, LoopEvent.For(raced, Start), LoopEvent.For(full, Start), LoopEvent.For(Feedback.Flag(full.Id, "odd", "ops"), Start));
        var from = await store.ReadHeadAsync(None);

        // What appends racing leave: each decided without the other's uncommitted row, so feedback waits for predictions that are stored.
        await Append(roomy, LoopEvent.For(Feedback.GroundTruth(raced.Id, true), Start), LoopEvent.For(Feedback.GroundTruth(full.Id, true), Start), LoopEvent.For(Feedback.Correction(full.Id, false, "reviewer"), Start));
        await _schema.ScalarAsync("UPDATE {schema}.feedback SET state = 1, join_seq = NULL WHERE kind <> @flag;", ("flag", (short)FeedbackKind.Flag));
        await _schema.ScalarAsync("UPDATE {schema}.event_counts SET joined = joined - 3, orphans_pending = orphans_pending + 3, labelled = labelled - 2;");
        var before = await store.GetStatisticsAsync(None);

        var expired = await store.ExpireAsync(Start, None);
        var after = await store.GetStatisticsAsync(None);
        var (joins, _) = await ReadStream(store, from, until: batch => batch.Joins.Count >= 2, predictions: false);

        expired.Should().Be(0);
        (before.OrphansPending, before.LabelledPredictions).Should().Be((3L, 0L));
        (after.OrphansPending, after.FeedbackJoined - before.FeedbackJoined, after.FeedbackRejected - before.FeedbackRejected, after.LabelledPredictions)
            .Should().Be((0L, 2L, 1L, 2L), "the flag took one of the rome prediction's two places: its first label joins, its correction is refused");
        joins.Joins.Select(j => (j.Feedback.PredictionId, j.Feedback.Kind)).Should().Equal((raced.Id, FeedbackKind.GroundTruth), (full.Id, FeedbackKind.GroundTruth));
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.feedback;")).Should().Be(3L);
    }

    [Fact]
    public async Task RetentionWhileAnAppendJoinsFeedbackToAnOldPrediction_WaitsForTheAppend_AndDeletesTheFeedbackWithThePrediction()
    {
        var writer = Store(_schema.DataSource);
        var prediction = Prediction(0, "oslo");
        await Append(writer, LoopEvent.For(prediction, Start));
        var label = Feedback.GroundTruth(prediction.Id, true);

        // A transaction holding the label's key stops the append in the middle of its transaction, after it decided to join.
        await using var connection = await _schema.DataSource.OpenConnectionAsync();
        await using var blocking = await HoldKeyAsync(connection, label);

        var appending = Append(writer, LoopEvent.For(label, Start));
        await WaitUntilWaitingAsync($"COPY {_schema.Name}.feedback%");
        var retaining = new PostgreSqlEventStore(_schema.DataSource, "loop", Schema, retainFor: TimeSpan.FromDays(1), databaseSchema: _schema.Name).ExpireAsync(Start.AddDays(2), None).AsTask();
        await WaitUntilWaitingAsync($"%feedbackloop.events.{_schema.Name}.%");
        retaining.IsCompleted.Should().BeFalse("retention waits for the append joining feedback to a prediction it deletes");
        await blocking.RollbackAsync();
        var joined = await appending;
        await retaining;

        joined.GetOutcome(0).Should().Be(EventOutcome.Joined);
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.feedback;")).Should().Be(0L, "the label went with its prediction: no feedback is left without one");
        var statistics = await writer.GetStatisticsAsync(None);
        (statistics.Predictions, statistics.PredictionsEvicted, statistics.FeedbackJoined, statistics.LabelledPredictions).Should().Be((1L, 1L, 1L, 0L));
    }

    [Fact]
    public async Task QuestionAfterTheCommitFails_TheBatchStands_AndTheWriterGoesOn()
    {
        var writer = Store(_schema.DataSource);
        await using var keyConnection = await _schema.DataSource.OpenConnectionAsync();
        var (appending, holdingKey, fresh) = await StartHeldAppendAsync(writer, keyConnection, raceAnOrphan: false);

        // A lock that conflicts with reading the predictions: the question after the commit (whether orphans raced the
        // batch) waits for it.
        await InterruptAfterTheCommitAsync("predictions IN ACCESS EXCLUSIVE MODE", holdingKey, "SELECT EXISTS (SELECT 1 FROM%", "the appending backend waits in its question");
        var batch = await appending;
        var next = await Append(writer, LoopEvent.For(Feedback.GroundTruth(fresh.Id, false), Start));

        (batch.GetOutcome(0), batch.GetOutcome(1)).Should().Be((EventOutcome.Stored, EventOutcome.Joined), "the batch committed before its question failed");
        next.GetOutcome(0).Should().Be(EventOutcome.Joined);
        var statistics = await writer.GetStatisticsAsync(None);
        (statistics.Predictions, statistics.DuplicatePredictions, statistics.FeedbackJoined).Should().Be((2L, 0L, 2L), "nothing was appended twice");
    }

    [Fact]
    public async Task LabelAnotherInstanceLeftWaitingWhileTheBatchWasOpen_JoinedByTheLookAfterTheCommit()
    {
        var writer = Store(_schema.DataSource);
        await using var keyConnection = await _schema.DataSource.OpenConnectionAsync();
        var (appending, holdingKey, _) = await StartHeldAppendAsync(writer, keyConnection, raceAnOrphan: true);
        await holdingKey.RollbackAsync();
        var batch = await appending;

        (batch.GetOutcome(0), batch.GetOutcome(1)).Should().Be((EventOutcome.Stored, EventOutcome.Joined));
        var statistics = await writer.GetStatisticsAsync(None);
        (statistics.Predictions, statistics.FeedbackJoined, statistics.OrphansPending).Should().Be((2L, 2L, 0L), "the look after the commit joined the raced label");
    }

    [Fact]
    public async Task JoinAfterTheCommitFails_TheBatchStands_AndExpiryJoinsTheRacedOrphan()
    {
        var writer = Store(_schema.DataSource);
        await using var keyConnection = await _schema.DataSource.OpenConnectionAsync();
        var (appending, holdingKey, _) = await StartHeldAppendAsync(writer, keyConnection, raceAnOrphan: true);

        // A lock that lets the question read the feedback but not the join write it: the join waits for it.
        await InterruptAfterTheCommitAsync("feedback IN SHARE MODE", holdingKey, "%WITH candidates AS%", "the appending backend waits in its join");
        var batch = await appending;

        (batch.GetOutcome(0), batch.GetOutcome(1)).Should().Be((EventOutcome.Stored, EventOutcome.Joined), "the batch committed before its join failed");
        (await writer.GetStatisticsAsync(None)).OrphansPending.Should().Be(1, "the raced label still waits");
        await writer.ExpireAsync(Start, None);
        var statistics = await writer.GetStatisticsAsync(None);
        (statistics.Predictions, statistics.FeedbackJoined, statistics.OrphansPending).Should().Be((2L, 2L, 0L), "expiry joined the label the failed join left");
    }

    [Fact]
    public async Task OrphanExpiredWhileAnAppendAdoptsIt_TheAppendIsDecidedAgain_CountsKept()
    {
        var ttl = new FeedbackStoreOptions().OrphanTimeToLive;
        var prediction = Prediction(0, "oslo");
        var (early, label) = (Feedback.Flag(prediction.Id, "odd", "ops"), Feedback.GroundTruth(prediction.Id, true));
        await Append(Store(_schema.DataSource), LoopEvent.For(early, Start));

        // The append decides to adopt the orphan, then waits in its COPY (a held key of its label) while expiry deletes it.
        var writer = Store(_schema.DataSource);
        await using var connection = await _schema.DataSource.OpenConnectionAsync();
        await using var holding = await HoldKeyAsync(connection, label);
        var appending = Append(writer, LoopEvent.For(prediction, Start), LoopEvent.For(label, Start));
        await WaitUntilWaitingAsync($"COPY {_schema.Name}.feedback%");
        var expired = await Store(_schema.DataSource).ExpireAsync(Start + ttl + TimeSpan.FromSeconds(1), None);
        await holding.RollbackAsync();
        var batch = await appending;

        expired.Should().Be(1);
        (batch.GetOutcome(0), batch.GetOutcome(1)).Should().Be((EventOutcome.Stored, EventOutcome.Joined));
        batch.Joins.Should().ContainSingle().Which.Feedback.Id.Should().Be(label.Id, "the expired flag was not adopted");
        var statistics = await writer.GetStatisticsAsync(None);
        (statistics.OrphansPending, statistics.OrphansExpired, statistics.FeedbackJoined, statistics.LabelledPredictions).Should().Be((0L, 1L, 1L, 1L));
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.feedback;")).Should().Be(1L);
    }

    /// <summary>Begins a transaction that inserts a row with the feedback's key and holds it: an append of that feedback waits in its COPY.</summary>
    private async Task<NpgsqlTransaction> HoldKeyAsync(NpgsqlConnection connection, Feedback feedback)
    {
        var transaction = await connection.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {_schema.Name}.feedback (loop, prediction_id, id, seq, state, kind, value_kind, value_number, value_category, source, ts, received_at) VALUES ('loop', @prediction, @id, 0, 1, 0, 1, 1, NULL, 's', 0, 0);",
            connection);
        insert.Parameters.AddWithValue("prediction", feedback.PredictionId.Value);
        insert.Parameters.AddWithValue("id", feedback.Id.Value);
        await insert.ExecuteNonQueryAsync();
        return transaction;
    }

    /// <summary>
    /// Starts an append of a new prediction and a label of a stored one that stops in its transaction (a held key of its
    /// label) after it read and wrote its prediction. With <paramref name="raceAnOrphan"/>, another instance then leaves a
    /// label of the new prediction waiting (it cannot see the uncommitted prediction), so that the append's look after its
    /// commit finds a raced orphan.
    /// </summary>
    private async Task<(Task<EventBatch> Appending, NpgsqlTransaction HoldingKey, Prediction Fresh)> StartHeldAppendAsync(PostgreSqlEventStore writer, NpgsqlConnection keyConnection, bool raceAnOrphan)
    {
        var (stored, fresh) = (Prediction(0, "oslo"), Prediction(1, "rome"));
        await Append(writer, LoopEvent.For(stored, Start));
        var label = Feedback.GroundTruth(stored.Id, true);
        var holdingKey = await HoldKeyAsync(keyConnection, label);
        var appending = Append(writer, LoopEvent.For(fresh, Start), LoopEvent.For(label, Start));
        await WaitUntilWaitingAsync($"COPY {_schema.Name}.feedback%");
        if (raceAnOrphan)
        {
            var raced = await Append(Store(_schema.DataSource), LoopEvent.For(Feedback.GroundTruth(fresh.Id, false), Start));
            raced.GetOutcome(0).Should().Be(EventOutcome.Orphaned, "the other instance cannot see the uncommitted prediction");
        }

        return (appending, holdingKey, fresh);
    }

    /// <summary>
    /// Fails a held append after its commit: a lock request queues behind the append (so it is granted at the append's
    /// commit), the held key is released, and the appending backend is terminated once its statement like
    /// <paramref name="waitingQuery"/> waits for that lock.
    /// </summary>
    private async Task InterruptAfterTheCommitAsync(string lockTable, NpgsqlTransaction holdingKey, string waitingQuery, string because)
    {
        await using var lockConnection = await _schema.DataSource.OpenConnectionAsync();
        await using var locking = await lockConnection.BeginTransactionAsync();
        await using var lockCommand = new NpgsqlCommand($"LOCK TABLE {_schema.Name}.{lockTable};", lockConnection);
        var locked = lockCommand.ExecuteNonQueryAsync();
        await WaitUntilWaitingAsync($"LOCK TABLE {_schema.Name}.%");
        await holdingKey.RollbackAsync();
        await locked;
        await WaitUntilWaitingAsync(waitingQuery);
        (await _schema.ScalarAsync("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE @query;", ("query", waitingQuery)))
            .Should().Be(1L, because);
        await locking.RollbackAsync();
    }

    /// <summary>Waits until a statement matching <paramref name="query"/> (a LIKE pattern) waits for a lock.</summary>
    private async Task WaitUntilWaitingAsync(string query)
    {
        var waited = Stopwatch.StartNew();
        while (!Equals(await _schema.ScalarAsync("SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE @query;", ("query", query)), true))
        {
            waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), $"a statement like '{query}' waits for a lock");
            await Task.Delay(10);
        }
    }

    /// <summary>Reads the stream from a position until <paramref name="until"/> holds (other tests' transactions may hold the horizon back for a moment).</summary>
    private static async Task<(EventBatch Batch, long Position)> ReadStream(PostgreSqlEventStore store, long position, Func<EventBatch, bool> until, bool predictions = true)
    {
        var batch = new EventBatch();
        var waited = Stopwatch.StartNew();
        do
        {
            position = await store.ReadAppliedAsync(position, batch, 100, predictions, None);
            if (until(batch))
            {
                return (batch, position);
            }

            await Task.Delay(20);
        }
        while (waited.Elapsed < TimeSpan.FromSeconds(20));

        return (batch, position);
    }

    private static Prediction Prediction(int i, string city) =>
        new(PredictionId.New(), "loop", "1", Start.AddSeconds(i), FeatureVector.Create(Schema, [i / 400.0], [city]), PredictionOutput.Binary((i % 10) / 10.0));

    private static async Task<EventBatch> Append(PostgreSqlEventStore store, params LoopEvent[] events)
    {
        var batch = new EventBatch();
        foreach (var item in events)
        {
            batch.Add(item);
        }

        await store.AppendAsync(batch, None);
        return batch;
    }

    private PostgreSqlEventStore Store(NpgsqlDataSource dataSource) => new(dataSource, "loop", Schema, databaseSchema: _schema.Name);
}
