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
