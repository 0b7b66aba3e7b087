using FeedbackLoop.Coordination;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.State;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Tests;

/// <summary>
/// The engine's side of a loop shared by several instances (<see cref="ILoopCoordinator"/>), with a scripted
/// coordinator: what the cycle monitors, when it leads, what it does when the lead is lost, and how an instance follows
/// a move announced by another. The PostgreSQL package's tests prove the same with a real server and processes.
/// </summary>
public sealed class SharedLoopTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
    private readonly InMemoryModelRegistry _registry = new();
    private readonly InMemoryLoopStateStore _states = new();

    [Fact]
    public async Task Cycle_MonitorsTheSharedStream_NotItsOwnConsumer_AndReadsEachEventOnce()
    {
        var coordinator = new ScriptedCoordinator();
        await using var loop = Build(coordinator);
        await SeedAsync(loop);
        for (var i = 0; i < 5; i++)
        {
            loop.RecordFeedback(Feedback.GroundTruth(loop.Predict(Vector(i)).Id, true));
        }

        coordinator.Publish(40);
        var first = await loop.RunCycleAsync(None);
        coordinator.Publish(10);
        var second = await loop.RunCycleAsync(None);

        first.Observed.LabelsSinceLastTraining.Should().Be(40, "the labels every instance stored, from the stream; the 5 this instance stored are in it, not counted again");
        second.Observed.LabelsSinceLastTraining.Should().Be(50, "the position is kept: the first 40 are not read again");
        coordinator.Positions.Should().Equal([0L, 40L], "each cycle reads from where the last stopped (until a page is short)");
    }

    [Fact]
    public async Task StateSavedByTheLoopAlone_TheSharedLoopStartsAtTheStreamsEnd_NotReadingThePastAgain()
    {
        await using (var alone = new FeedbackLoopBuilder("shared").WithSchema(Schema).UseRegistry(_registry).UseStateStore(_states).Build())
        {
            await alone.StartAsync(None);
            await alone.RunCycleAsync(None);
        }

        var coordinator = new ScriptedCoordinator();
        coordinator.Publish(40);
        await using var shared = Build(coordinator);
        var first = await shared.RunCycleAsync(None);
        coordinator.Publish(10);
        var second = await shared.RunCycleAsync(None);

        coordinator.Positions.Should().Equal([-1L, 40L], "the monitors saw the past without the stream: they read what is applied from now on");
        first.Observed.LabelsSinceLastTraining.Should().Be(0);
        second.Observed.LabelsSinceLastTraining.Should().Be(10);
    }

    [Fact]
    public async Task Cycle_AnotherInstanceLeads_NotLeader_NothingTrainedAndNoStateSaved()
    {
        var coordinator = new ScriptedCoordinator { Leads = false };
        await using var loop = Build(coordinator);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.NotLeader);
        report.Decision.ShouldRetrain.Should().BeFalse();
        (await _states.LoadAsync("shared", None)).Should().BeNull("the state is the leader's to save");
        (await _registry.ListVersionsAsync("shared", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task LeadLostBeforeRegistering_CycleFails_NothingRegistered_LeadReleased()
    {
        var coordinator = new ScriptedCoordinator { LosesLead = true };
        await using var loop = Build(coordinator);
        RecordLabelled(loop, 40);

        var report = await loop.RunCycleAsync(None);

        report.TrainingExamples.Should().BePositive("a candidate was trained: with no champion the loop trains one");
        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().StartWith("register failed: LeadershipLostException");
        (await _registry.ListVersionsAsync("shared", None)).Should().BeEmpty();
        coordinator.Released.Should().Be(1);
    }

    [Fact]
    public async Task AnotherInstanceMovesTheChampionDuringTraining_UnannouncedYet_TheCandidateIsNotPromotedOverIt()
    {
        var coordinator = new ScriptedCoordinator();
        ModelVersion? elsewhere = null;
        var trainer = new CallbackTrainer(async () =>
        {
            // Another instance promotes while this one trains; its announcement has not arrived here.
            elsewhere = await _registry.RegisterAsync(new ModelRegistration("shared", (await TrainAsync()).Artifact, "elsewhere", new Dictionary<string, double>(), new Dictionary<string, string>()), None);
            await _registry.SetAliasAsync("shared", ModelAliases.Champion, elsewhere.Version, new AliasChange("other instance", "promoted there"), None);
        });
        await using var loop = Build(coordinator, trainer);
        RecordLabelled(loop, 40);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Rejected, report.ToString());
        report.Decision.Reason.Should().Contain("the champion changed during the cycle");
        (await _registry.GetByAliasAsync("shared", ModelAliases.Champion, None))!.Version.Should().Be(elsewhere!.Version, "the other instance's move stands");
    }

    [Fact]
    public async Task CycleCancelledWhileLeading_TheLeadIsReleased()
    {
        var coordinator = new ScriptedCoordinator();
        var trainer = new WaitingTrainer();
        await using var loop = Build(coordinator, trainer);
        RecordLabelled(loop, 40);
        using var cancel = new CancellationTokenSource();

        var cycle = loop.RunCycleAsync(cancel.Token);
        await trainer.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();

        await cycle.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
        coordinator.Released.Should().Be(1, "a lead kept after a cancelled cycle would stop every instance's cycles");
    }

    [Fact]
    public async Task MoveAnnounced_TheInstanceServesTheChampionTheAliasNames_WithoutACycle()
    {
        var coordinator = new ScriptedCoordinator();
        await using var loop = Build(coordinator);
        await loop.StartAsync(None);
        var version = await _registry.RegisterAsync(new ModelRegistration("shared", (await TrainAsync()).Artifact, "elsewhere", new Dictionary<string, double>(), new Dictionary<string, string>()), None);
        await _registry.SetAliasAsync("shared", ModelAliases.Champion, version.Version, new AliasChange("other instance", "promoted there"), None);

        coordinator.Moved!();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (loop.Champion is null)
        {
            await Task.Delay(5, timeout.Token);
        }

        loop.Champion.Version.Should().Be(version.Version);
    }

    private static FeatureVector Vector(int i) => FeatureVector.Create(Schema, [i % 2]);

    /// <summary>Records labelled predictions this instance stored (served by a host model), so a cycle has a window to train on.</summary>
    private static void RecordLabelled(IFeedbackLoop loop, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var prediction = new Prediction(PredictionId.New(), "shared", "0", DateTimeOffset.UnixEpoch, Vector(i), PredictionOutput.Binary(0.5));
            loop.RecordPrediction(prediction);
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, i % 2 == 0));
        }
    }

    private static async Task<TrainedModel> TrainAsync()
    {
        var data = TrainingSet.CreateBuilder(Schema, ModelTask.Binary);
        for (var i = 0; i < 40; i++)
        {
            data.Add(Vector(i), Label.Binary(i % 2 == 0), source: "history");
        }

        return await Learners.LogisticRegression().TrainAsync(data.Build(), None);
    }

    private static async Task SeedAsync(IFeedbackLoop loop) =>
        await loop.PromoteAsync(await TrainAsync(), new AliasChange("test", "seed"), None);

    private IFeedbackLoop Build(ScriptedCoordinator coordinator, IModelTrainer? trainer = null) =>
        new FeedbackLoopBuilder("shared")
            .WithSchema(Schema)
            .UseTrainer(trainer ?? Learners.LogisticRegression(), Learners.LogisticRegression())
            .UseRegistry(_registry)
            .UseStateStore(_states)
            .UseCoordinator(_ => coordinator)
            .Configure(options => options.MinimumTrainingExamples = 20)
            .RetrainWhen(Retrain.EveryNewLabels(1_000))
            .Build();

    /// <summary>The built-in learner, running a callback before its first training.</summary>
    private sealed class CallbackTrainer(Func<Task> first) : IModelTrainer
    {
        private Func<Task>? _first = first;

        public async Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _first, null) is { } callback)
            {
                await callback();
            }

            return await Learners.LogisticRegression().TrainAsync(data, cancellationToken);
        }
    }

    /// <summary>A trainer that waits until the cycle is cancelled.</summary>
    private sealed class WaitingTrainer : IModelTrainer
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public async Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>A coordinator whose stream, lead and announcements the test scripts.</summary>
    private sealed class ScriptedCoordinator : ILoopCoordinator
    {
        private readonly List<JoinedLabel> _stream = [];

        public bool Leads { get; init; } = true;

        public bool LosesLead { get; init; }

        public int Released { get; private set; }

        public List<long> Positions { get; } = [];

        public Action? Moved { get; private set; }

        /// <summary>Appends labels that "other instances" stored (their predictions were served by version 1).</summary>
        public void Publish(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var id = PredictionId.New();
                _stream.Add(new JoinedLabel(
                    Feedback.GroundTruth(id, i % 2 == 0),
                    new JoinedPrediction(id, "1", DateTimeOffset.UnixEpoch, PredictionOutput.Binary(0.9))));
            }
        }

        public ValueTask<ICycleLease?> TryLeadAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<ICycleLease?>(Leads ? new Lease(this) : null);

        public ValueTask<long> ReadAppliedAsync(long position, EventBatch batch, int maxCount, bool predictions, CancellationToken cancellationToken)
        {
            Positions.Add(position);
            if (position < 0)
            {
                return ValueTask.FromResult((long)_stream.Count);
            }

            foreach (var join in _stream.Skip((int)position).Take(maxCount))
            {
                batch.AddJoin(join);
                position++;
            }

            return ValueTask.FromResult(position);
        }

        public IAsyncDisposable WatchAliases(Action moved)
        {
            Moved = moved;
            return new Lease(this);
        }

        private sealed class Lease(ScriptedCoordinator coordinator) : ICycleLease
        {
            public ValueTask EnsureHeldAsync(CancellationToken cancellationToken) =>
                coordinator.LosesLead ? throw new LeadershipLostException("the lead's connection dropped") : ValueTask.CompletedTask;

            public ValueTask DisposeAsync()
            {
                coordinator.Released++;
                return ValueTask.CompletedTask;
            }
        }
    }
}
