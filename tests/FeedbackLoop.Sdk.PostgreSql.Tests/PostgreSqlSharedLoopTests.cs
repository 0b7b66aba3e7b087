using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Tests.TestSupport;
using Npgsql;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>
/// A loop shared through <c>UsePostgreSql</c>, two instances in one test process (each with its own data source and
/// connections; the separate-process proofs are <see cref="PostgreSqlManyInstancesTests"/>): the lead, its loss, the
/// shared monitoring and state, and champion moves followed after a dropped connection.
/// </summary>
public sealed class PostgreSqlSharedLoopTests : IDisposable
{
    private const string LoopName = "shared";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly FeatureSchema Features = FeatureSchema.CreateBuilder().Numeric("x").Build();
    private readonly TemporarySchema _schema = new();
    private readonly List<IFeedbackLoop> _loops = [];

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }

        _schema.Dispose();
    }

    [Fact]
    public async Task Cycle_AnotherSessionHoldsTheLead_NotLeaderAndNothingTrained_AndWithWaitForLead_RunsOnceItIsReleased()
    {
        var loop = Loop("waits-not");
        var waiting = Loop("waits", options => options.WaitForLead());
        await using var holder = await _schema.DataSource.OpenConnectionAsync();
        await LockAsync(holder, "pg_advisory_lock");

        var report = await loop.RunCycleAsync(None);
        var waited = waiting.RunCycleAsync(None);
        await Task.Delay(300);

        report.Outcome.Should().Be(CycleOutcome.NotLeader);
        report.Decision.Reason.Should().Contain("another instance");
        waited.IsCompleted.Should().BeFalse("it waits for the lead");
        await LockAsync(holder, "pg_advisory_unlock");
        (await waited.WaitAsync(TimeSpan.FromSeconds(10))).Outcome.Should().Be(CycleOutcome.Deferred, "it ran once the lead was free: with no champion and no labels yet it defers");
        (await loop.RunCycleAsync(None)).Outcome.Should().NotBe(CycleOutcome.NotLeader, "the lead is released after each cycle");
    }

    [Fact]
    public async Task UsePostgreSql_ServerNotListening_StartFailsNamingHostAndDatabase_NeverThePassword()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(PostgreSqlServer.ConnectionString) { Port = 1, Password = "s3cret-pa55", Timeout = 2 };
        await using var loop = new FeedbackLoopBuilder(LoopName).WithSchema(Features).UsePostgreSql(unreachable.ConnectionString, o => o.InSchema(_schema.Name)).Build();

        var start = () => loop.StartAsync(None);

        var thrown = (await start.Should().ThrowAsync<PostgreSqlStoreException>()).Which;
        thrown.Message.Should().Contain($"{unreachable.Host}:1").And.Contain($"database '{unreachable.Database}'");
        thrown.ToString().Should().NotContain("s3cret-pa55");
    }

    [Theory]
    [InlineData("Host=127.0.0.1;NoSuchKeyword=1")]
    [InlineData(" ")]
    public void UsePostgreSql_ConnectionStringNotValid_ArgumentException(string connectionString)
    {
        var use = () => new FeedbackLoopBuilder(LoopName).WithSchema(Features).UsePostgreSql(connectionString);

        use.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("Feedback")]
    [InlineData("x; DROP TABLE y")]
    public void UsePostgreSql_SchemaNameNotAPlainIdentifier_ArgumentException(string schema)
    {
        var use = () => new FeedbackLoopBuilder(LoopName).WithSchema(Features).UsePostgreSql(PostgreSqlServer.ConnectionString, o => o.InSchema(schema));

        use.Should().Throw<ArgumentException>().WithMessage($"*'{schema}' is not a schema name*");
    }

    [Fact]
    public async Task LeadLostWhileTraining_CycleFailsSayingSo_NothingRegistered_ChampionKept()
    {
        var trainer = new BlockingTrainer();
        var loop = Loop("loses-lead", trainer: trainer);
        await SeedAsync(loop);
        for (var i = 0; i < 40; i++)
        {
            loop.RecordFeedback(Feedback.GroundTruth(loop.Predict(Vector(i)).Id, i % 2 == 1));
        }

        trainer.Block();

        var cycle = loop.RunCycleAsync(None);
        await trainer.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        (await _schema.ScalarAsync(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'loses-lead' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted);"))
            .Should().Be(1L, "the session holding the lead is killed");
        trainer.Release();
        var report = await cycle.WaitAsync(TimeSpan.FromSeconds(10));

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("lost the lead");
        (await _schema.ScalarAsync("SELECT count(*) FROM {schema}.model_versions;")).Should().Be(1L, "only the seed");
        loop.Champion!.Version.Should().Be(1);
        (await loop.RunCycleAsync(None)).Outcome.Should().NotBe(CycleOutcome.Failed, "the next cycle takes the lead again");
    }

    [Fact]
    public async Task LabelsReceivedByAnotherInstance_MonitoredOnceByTheLeader_AndTheNextLeaderContinuesItsState()
    {
        var predicting = Loop("predicts");
        var labelling = Loop("labels");
        await SeedAsync(predicting);
        var ids = Enumerable.Range(0, 60).Select(i => predicting.Predict(Vector(i)).Id).ToList();
        await predicting.FlushAsync(None);
        ids.Take(50).ToList().ForEach(id => labelling.RecordFeedback(Feedback.GroundTruth(id, true)));
        await labelling.FlushAsync(None);

        var first = await predicting.RunCycleAsync(None);
        var second = await labelling.RunCycleAsync(None);
        ids.Skip(50).ToList().ForEach(id => predicting.RecordFeedback(Feedback.GroundTruth(id, true)));
        await predicting.FlushAsync(None);
        var third = await labelling.RunCycleAsync(None);

        first.Observed.LabelsSinceLastTraining.Should().Be(50, "the leader monitors the labels the other instance received");
        second.Observed.LabelsSinceLastTraining.Should().Be(50, "the next leader continues the state: the same labels are not counted twice");
        third.Observed.LabelsSinceLastTraining.Should().Be(60);
        third.Cycle.Should().Be(3, "the cycle count is the loop's, whichever instance ran the cycles");
    }

    [Fact]
    public async Task FeaturesMonitored_TheLeaderReadsThePredictionsAnotherInstanceStored_AndItsFeatureMonitorSignals()
    {
        var seen = new List<double>();
        var leading = Loop("monitors", feature: () => new RecordingDetector(seen));
        var predicting = Loop("predicts-features");
        await SeedAsync(leading);
        await WaitForAsync(() => predicting.Champion is not null);
        for (var i = 0; i < 30; i++)
        {
            predicting.Predict(FeatureVector.Create(Features, [i]));
        }

        await predicting.FlushAsync(None);
        var report = await leading.RunCycleAsync(None);

        seen.Should().Equal(Enumerable.Range(0, 30).Select(i => (double)i), "the leader's feature monitor saw every prediction the other instance stored, in order");
        report.Observed.DriftSignals.Should().ContainSingle(s => s.Monitor == "feature:x" && s.Observation == 30);
    }

    [Fact]
    public async Task ListenerConnectionDropped_AChampionMovedMeanwhile_IsServedAfterTheWatchReconnects()
    {
        var promoting = Loop("promotes");
        var following = Loop("follows");
        await SeedAsync(promoting);
        await WaitForAsync(() => following.Champion?.Version == 1);

        (await _schema.ScalarAsync("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'follows (alias watch)';"))
            .Should().Be(1L, "the follower's listening connection is dropped");
        var promoted = await promoting.PromoteAsync(await TrainAsync(), new AliasChange("test", "while the follower was not listening"), None);

        await WaitForAsync(() => following.Champion?.Version == promoted.Version);
        (await _schema.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'follows (alias watch)';")).Should().Be(1L, "the watch reconnected");
    }

    [Fact]
    public async Task Rollback_OnOneInstance_EveryInstanceServesTheRestoredChampion()
    {
        var first = Loop("first");
        var second = Loop("second");
        await SeedAsync(first);
        await first.PromoteAsync(await TrainAsync(), new AliasChange("test", "second model"), None);
        await WaitForAsync(() => second.Champion?.Version == 2);

        await second.RollbackAsync(new AliasChange("test", "back"), None);

        await WaitForAsync(() => first.Champion?.Version == 1);
    }

    [Fact]
    public async Task RecordPredictionAndFeedback_SharedOnPostgreSql_AllocatesNothingOnTheCallersThread()
    {
        var loop = Loop("records");
        await loop.StartAsync(None);
        var predictions = Enumerable.Range(0, 256).Select(i => new Prediction(PredictionId.New(), LoopName, "1", DateTimeOffset.UnixEpoch, Vector(i), PredictionOutput.Binary(0.5))).ToArray();
        var labels = predictions.Select(p => Feedback.GroundTruth(p.Id, true)).ToArray();

        var allocated = Allocations.OnCurrentThread(() =>
        {
            for (var i = 0; i < predictions.Length; i++)
            {
                loop.RecordPrediction(predictions[i]);
                loop.RecordFeedback(labels[i]);
            }
        });
        await loop.FlushAsync(None);

        allocated.Should().Be(0, "the caller only hands events to the queue; the consumer writes them to the server");
        (await loop.GetStatisticsAsync(None)).Store.FeedbackJoined.Should().Be(predictions.Length);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // Generous for a loaded 2-core CI machine: it costs time only when the test fails.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static FeatureVector Vector(int i) => FeatureVector.Create(Features, [i % 2]);

    private static async Task<TrainedModel> TrainAsync()
    {
        var data = TrainingSet.CreateBuilder(Features, ModelTask.Binary);
        for (var i = 0; i < 40; i++)
        {
            data.Add(Vector(i), Label.Binary(i % 2 == 1), source: "test");
        }

        return await Learners.LogisticRegression().TrainAsync(data.Build(), None);
    }

    private static async Task SeedAsync(IFeedbackLoop loop)
    {
        var data = TrainingSet.CreateBuilder(Features, ModelTask.Binary);
        for (var i = 0; i < 40; i++)
        {
            data.Add(Vector(i), Label.Binary(i % 2 == 0), source: "history");
        }

        await loop.SeedAsync(data.Build(), new AliasChange("test", "seed"), None);
    }

    private async Task LockAsync(NpgsqlConnection connection, string function)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}(hashtextextended('feedbackloop.cycle.' || @schema || '.' || @loop, 0));", connection);
        command.Parameters.AddWithValue("schema", _schema.Name);
        command.Parameters.AddWithValue("loop", LoopName);
        await command.ExecuteScalarAsync();
    }

    /// <summary>An instance of the loop with a data source of its own, its connections named <paramref name="application"/>.</summary>
    private IFeedbackLoop Loop(string application, Action<PostgreSqlOptions>? configure = null, IModelTrainer? trainer = null, Func<IDriftDetector>? feature = null)
    {
        var connection = new NpgsqlConnectionStringBuilder(PostgreSqlServer.ConnectionString) { ApplicationName = application }.ConnectionString;
        var learner = Learners.LogisticRegression();
        var builder = new FeedbackLoopBuilder(LoopName)
            .WithSchema(Features)
            .UseTrainer(trainer ?? learner, learner)
            .Configure(options => options.MinimumTrainingExamples = 20)
            .RetrainWhen(Retrain.EveryNewLabels(30))
            .UsePostgreSql(connection, options =>
            {
                options.InSchema(_schema.Name);
                configure?.Invoke(options);
            });
        var loop = (feature is null ? builder : builder.MonitorFeature("x", feature)).Build();
        _loops.Add(loop);
        return loop;
    }

    /// <summary>Records the values it sees and signals a drift at the 30th.</summary>
    private sealed class RecordingDetector(List<double> seen) : IDriftDetector
    {
        public DriftState State { get; private set; }

        public DriftState Update(double value)
        {
            seen.Add(value);
            return State = seen.Count == 30 ? DriftState.Drift : DriftState.None;
        }

        public void Reset() => State = DriftState.None;
    }

    /// <summary>The built-in learner, which the test can make wait inside a training.</summary>
    private sealed class BlockingTrainer : IModelTrainer
    {
        private readonly LogisticRegressionLearner _inner = Learners.LogisticRegression();
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _gate;

        public Task Entered => _entered.Task;

        public void Block() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate!.TrySetResult();

        public async Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
        {
            if (_gate is { } gate)
            {
                _entered.TrySetResult();
                await gate.Task.WaitAsync(cancellationToken);
            }

            return await _inner.TrainAsync(data, cancellationToken);
        }
    }
}
