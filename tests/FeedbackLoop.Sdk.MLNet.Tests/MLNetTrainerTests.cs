using FeedbackLoop.MLNet;
using FeedbackLoop.Models;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

public class MLNetTrainerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task TrainAsync_LightGbmDefault_NativeLibraryLoadsAndTheModelLearns()
    {
        var stream = new TaskTraffic(ModelTask.Binary);
        var training = stream.Take(400);

        var trained = await new MLNetTrainer().TrainAsync(training, None);

        trained.Description.Should().StartWith("ML.NET LightGbmBinaryTrainer (default pipeline) on 400 examples").And.EndWith("probabilities calibrated by the trainer");
        Accuracy(trained.Predictor, stream.Take(300)).Should().BeGreaterThan(0.85);
    }

    [Fact]
    public async Task TrainAsync_ExampleWeights_ArePassedToTheTrainer()
    {
        var stream = new TaskTraffic(ModelTask.Binary);
        var clean = stream.Take(800);
        var test = stream.Take(400);

        // Every row again with the opposite label: unweighted, the copies cancel what the rows teach; weighing nothing,
        // they are ignored by a trainer that reads the weights.
        var trained = await Train(flippedWeight: 0);
        var unweighted = await Train(flippedWeight: 1);

        Accuracy(trained.Predictor, test).Should().BeGreaterThan(0.93);
        Accuracy(unweighted.Predictor, test).Should().BeLessThan(0.8, "the flipped copies count when they weigh");

        Task<TrainedModel> Train(double flippedWeight)
        {
            var weighted = TrainingSet.CreateBuilder(clean.Schema, clean.Task);
            for (var i = 0; i < clean.Count; i++)
            {
                weighted.Add(clean.Row(i), clean.Labels[i]);
                weighted.Add(clean.Row(i), !clean.Labels[i].AsBoolean(), weight: flippedWeight);
            }

            return new MLNetTrainer(Pipelines.Linear).TrainAsync(weighted.Build(), None);
        }
    }

    [Fact]
    public async Task TrainAsync_FastTreeDefault_TrainsOneVersusAllForMulticlass()
    {
        var stream = new TaskTraffic(TaskTraffic.Regions);

        var trained = await new MLNetTrainer(options: new MLNetOptions { DefaultTrainer = MLNetDefaultTrainer.FastTree }).TrainAsync(stream.Take(500), None);

        trained.Description.Should().StartWith("ML.NET OneVersusAllTrainer (default pipeline) on 500 examples");
        Accuracy(trained.Predictor, stream.Take(300)).Should().BeGreaterThan(0.85);
    }

    [Fact]
    public async Task TrainAsync_CancelledToken_Throws()
    {
        var set = new TaskTraffic(ModelTask.Binary).Take(100);

        var train = () => new MLNetTrainer().TrainAsync(set, new CancellationToken(canceled: true));

        await train.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void UseMLNet_UndefinedDefaultTrainer_FailsWhenTheLoopIsConfigured()
    {
        var configure = () => new FeedbackLoopBuilder("bad").UseMLNet(configure: o => o.DefaultTrainer = (MLNetDefaultTrainer)7);

        configure.Should().Throw<ArgumentOutOfRangeException>().WithMessage("MLNetOptions.DefaultTrainer must be LightGbm or FastTree.*");
    }

    internal static double Accuracy(IPredictor model, TrainingSet test)
    {
        var right = 0;
        for (var i = 0; i < test.Count; i++)
        {
            right += model.Predict(test.Row(i)).Label == test.Labels[i] ? 1 : 0;
        }

        return (double)right / test.Count;
    }
}
