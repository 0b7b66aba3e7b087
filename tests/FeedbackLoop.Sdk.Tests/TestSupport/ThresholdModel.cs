using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>A model test double: predicts <c>x1 &gt;= threshold</c>. Its artifact is the threshold's 8 bytes.</summary>
public sealed class ThresholdModel(double threshold) : IPredictor
{
    public double Threshold { get; } = threshold;

    public ModelTask Task => ModelTask.Binary;

    public PredictionOutput Predict(FeatureVector features) =>
        PredictionOutput.Binary(features.Numeric[0] >= Threshold ? 0.9 : 0.1);

    public TrainedModel ToTrainedModel() => new(this, BitConverter.GetBytes(Threshold), $"x1 >= {Threshold}");

    /// <summary>Reads the threshold back from an artifact stream.</summary>
    public static double ReadThreshold(Stream artifact)
    {
        var bytes = new byte[8];
        artifact.ReadExactly(bytes);
        return BitConverter.ToDouble(bytes);
    }
}

/// <summary>A trainer test double that returns a given model, or throws, and counts its calls.</summary>
public sealed class ScriptedTrainer(Func<TrainingSet, TrainedModel> train) : IModelTrainer, IModelArtifactLoader
{
    public int Calls { get; private set; }

    public TrainingSet? LastData { get; private set; }

    public Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
    {
        Calls++;
        LastData = data;
        return Task.FromResult(train(data));
    }

    public IPredictor Load(Stream artifact, FeatureSchema schema) => new ThresholdModel(ThresholdModel.ReadThreshold(artifact));
}
