using FeedbackLoop.Models;
using FeedbackLoop.Onnx;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.State;
using FeedbackLoop.Tests.Onnx;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests;

public sealed class OnnxFeedbackLoopTests
{
    private static readonly FeatureSchema Schema = TestModels.Numeric(3);
    private static readonly AliasChange ByHost = new("host", "model retrained in Python");

    [Fact]
    public async Task UseOnnx_PromoteRestartAndRollBack_ServesEachOnnxChampionFromTheRegistry()
    {
        var registry = new InMemoryModelRegistry();
        var state = new InMemoryLoopStateStore();
        var input = FeatureVector.Create(Schema, [1.0, 0.5, -2.0]);
        var first = TestModels.Binary([0.8f, -1.5f, 0.25f], -0.3f);
        var second = TestModels.Binary([-0.4f, 0.9f, 1.1f], 0.2f);
        var firstScore = TestModels.Sigmoid(TestModels.Dot([0.8f, -1.5f, 0.25f], [1.0, 0.5, -2.0]) - 0.3);
        var secondScore = TestModels.Sigmoid(TestModels.Dot([-0.4f, 0.9f, 1.1f], [1.0, 0.5, -2.0]) + 0.2);

        await using (var loop = Build(registry, state))
        {
            var v1 = await loop.PromoteAsync(OnnxModel.FromBytes(first, loop.Schema, loop.Task), ByHost, CancellationToken.None);
            loop.Predict(input).Output.Score.Should().BeApproximately(firstScore, 1e-6);

            var v2 = await loop.PromoteAsync(OnnxModel.FromBytes(second, loop.Schema, loop.Task), ByHost, CancellationToken.None);

            v2.Version.Should().Be(v1.Version + 1);
            loop.Predict(input).Output.Score.Should().BeApproximately(secondScore, 1e-6);
        }

        // A new process: the champion comes back from the registry's artifact through the ONNX loader.
        await using (var restarted = Build(registry, state))
        {
            await restarted.StartAsync(CancellationToken.None);

            restarted.Champion!.Version.Should().Be(2);
            restarted.Predict(input).Output.Score.Should().BeApproximately(secondScore, 1e-6);

            // Rolling back loads version 1, which this process never held, from its artifact.
            await restarted.RollbackAsync(new AliasChange("host", "v2 misbehaves"), CancellationToken.None);

            restarted.Champion!.Version.Should().Be(1);
            restarted.Predict(input).Output.Score.Should().BeApproximately(firstScore, 1e-6);
        }
    }

    [Fact]
    public async Task PromoteAsync_CorruptOrMismatchedOnnxFile_NeverReachesTheLoopAndTheChampionServesOn()
    {
        await using var loop = Build(new InMemoryModelRegistry(), new InMemoryLoopStateStore());
        var champion = await loop.PromoteAsync(OnnxModel.FromBytes(TestModels.Binary([0.8f, -1.5f, 0.25f], -0.3f), loop.Schema, loop.Task), ByHost, CancellationToken.None);
        var input = FeatureVector.Create(Schema, [1.0, 0.5, -2.0]);
        var before = loop.Predict(input).Output;
        var corrupt = new byte[300];
        new Random(11).NextBytes(corrupt);

        var attempts = new Func<TrainedModel>[]
        {
            () => OnnxModel.FromBytes(corrupt, loop.Schema, loop.Task),
            () => OnnxModel.FromBytes(TestModels.Binary([0.8f, -1.5f], 0f), loop.Schema, loop.Task),
            () => OnnxModel.FromBytes(TestModels.Binary([0.8f, -1.5f, 0.25f], 0f, input: "features"), loop.Schema, loop.Task, new OnnxModelOptions { VectorInputName = "X" }),
        };

        foreach (var attempt in attempts)
        {
            attempt.Should().Throw<InvalidOnnxModelException>();
        }

        loop.Champion.Should().Be(champion);
        loop.Predict(input).Output.Should().Be(before);
    }

    [Fact]
    public async Task PromoteAsync_OnnxModelOfAnotherTask_IsRefusedByTheLoop()
    {
        await using var loop = Build(new InMemoryModelRegistry(), new InMemoryLoopStateStore());

        var act = () => loop.PromoteAsync(OnnxModel.FromBytes(TestModels.Linear([1f, 1f, 1f], 0f), loop.Schema, ModelTask.Regression), ByHost, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*regression task, but loop 'onnx-loop' is binary*");
        loop.Champion.Should().BeNull();
    }

    [Fact]
    public async Task Predict_MulticlassOnnxChampionWhoseOutputIsNoDistribution_ThrowsOnnxPredictionExceptionAndRecordsNothing()
    {
        var schema = TestModels.Numeric(2);
        var task = ModelTask.Multiclass("a", "b", "c");
        await using var loop = new FeedbackLoopBuilder("onnx-multiclass").WithSchema(schema).ForTask(task).UseOnnx().Build();
        var model = TestModels.Softmax(2, 3, [1f, -1f, 0.5f, 0.2f, 0.3f, -0.7f], [0.1f, 0f, -0.2f], activation: "Sigmoid");
        await loop.PromoteAsync(OnnxModel.FromBytes(model, schema, task), ByHost, CancellationToken.None);

        var act = () => loop.Predict(FeatureVector.Create(schema, [0.7, -1.3]));

        act.Should().Throw<OnnxPredictionException>().Which.Should().BeAssignableTo<InvalidOperationException>();
        await loop.FlushAsync(CancellationToken.None);
        (await loop.GetStatisticsAsync(CancellationToken.None)).Store.Predictions.Should().Be(0);
    }

    [Fact]
    public async Task RunCycleAsync_WhenTheLoopWouldRetrain_FailsSayingToRetrainOutsideAndKeepsTheChampion()
    {
        await using var loop = Build(new InMemoryModelRegistry(), new InMemoryLoopStateStore(), o => o.MinimumTrainingExamples = 2);
        var champion = await loop.PromoteAsync(OnnxModel.FromBytes(TestModels.Binary([0.8f, -1.5f, 0.25f], -0.3f), loop.Schema, loop.Task), ByHost, CancellationToken.None);
        var random = new Random(5);
        for (var i = 0; i < 40; i++)
        {
            var prediction = loop.Predict(FeatureVector.Create(Schema, [random.NextDouble(), random.NextDouble(), random.NextDouble()]));
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, Label.Binary(i % 2 == 0)));
        }

        var report = await loop.RunCycleAsync(CancellationToken.None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("train failed").And.Contain("retrained outside the process: export the labelled window");
        loop.Champion.Should().Be(champion);
    }

    [Fact]
    public void UseOnnx_InvalidSessionOptions_FailsWhenConfigured()
    {
        var act = () => new FeedbackLoopBuilder("onnx-loop").WithSchema(Schema).UseOnnx(o => o.IntraOpThreads = -1);

        act.Should().Throw<OptionsValidationException>().WithMessage("*IntraOpThreads must be 0 (one per core) to 1024 (was -1)*");
    }

    private static IFeedbackLoop Build(InMemoryModelRegistry registry, InMemoryLoopStateStore state, Action<FeedbackLoopOptions>? configure = null) =>
        new FeedbackLoopBuilder("onnx-loop")
            .WithSchema(Schema)
            .UseOnnx(o => o.IntraOpThreads = 1)
            .UseRegistry(registry)
            .UseStateStore(state)
            .RetrainWhen(Retrain.EveryNewLabels(10))
            .Configure(configure ?? (_ => { }))
            .Build();
}
