using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>
/// A multiclass test learner: one centroid of x1 per class, probabilities ∝ exp(−10 |x1 − centroid|) (a class absent
/// from the training set gets probability 0). Its artifact is the centroids, 8 bytes each.
/// </summary>
public sealed class CentroidLearner(ModelTask task) : IModelTrainer, IModelArtifactLoader
{
    public Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
    {
        var sums = new double[task.Classes.Count];
        var counts = new double[task.Classes.Count];
        var x1 = data.Numeric(0);
        for (var i = 0; i < data.Count; i++)
        {
            var k = task.IndexOf(data.Labels[i].AsCategory());
            sums[k] += x1[i];
            counts[k]++;
        }

        var centroids = sums.Select((sum, k) => counts[k] > 0 ? sum / counts[k] : double.NaN).ToArray();
        var model = new CentroidModel(task, centroids);
        return Task.FromResult(new TrainedModel(model, centroids.SelectMany(BitConverter.GetBytes).ToArray(), "centroids"));
    }

    public IPredictor Load(Stream artifact, FeatureSchema schema)
    {
        var centroids = new double[task.Classes.Count];
        var bytes = new byte[8];
        for (var k = 0; k < centroids.Length; k++)
        {
            artifact.ReadExactly(bytes);
            centroids[k] = BitConverter.ToDouble(bytes);
        }

        return new CentroidModel(task, centroids);
    }
}

public sealed class CentroidModel(ModelTask task, double[] centroids) : IPredictor
{
    public ModelTask Task => task;

    public PredictionOutput Predict(FeatureVector features)
    {
        Span<double> probabilities = stackalloc double[centroids.Length];
        var total = 0.0;
        for (var k = 0; k < centroids.Length; k++)
        {
            probabilities[k] = double.IsNaN(centroids[k]) ? 0.0 : Math.Exp(-10 * Math.Abs(features.Numeric[0] - centroids[k]));
            total += probabilities[k];
        }

        for (var k = 0; k < centroids.Length; k++)
        {
            probabilities[k] /= total;
        }

        return PredictionOutput.Multiclass(task, probabilities);
    }
}

/// <summary>A regression test learner: least squares of the label on x1. Its artifact is the intercept and slope.</summary>
public sealed class LineLearner : IModelTrainer, IModelArtifactLoader
{
    public Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
    {
        var x = data.Numeric(0).ToArray();
        var y = data.Labels.ToArray().Select(l => l.AsDouble()).ToArray();
        var (meanX, meanY) = (x.Average(), y.Average());
        var slope = x.Zip(y, (a, b) => (a - meanX) * (b - meanY)).Sum() / x.Sum(a => (a - meanX) * (a - meanX));
        var model = new LineModel(meanY - (slope * meanX), slope);
        return Task.FromResult(new TrainedModel(model, BitConverter.GetBytes(model.Intercept).Concat(BitConverter.GetBytes(model.Slope)).ToArray(), "line"));
    }

    public IPredictor Load(Stream artifact, FeatureSchema schema)
    {
        var bytes = new byte[16];
        artifact.ReadExactly(bytes);
        return new LineModel(BitConverter.ToDouble(bytes, 0), BitConverter.ToDouble(bytes, 8));
    }
}

public sealed class LineModel(double intercept, double slope) : IPredictor
{
    public double Intercept => intercept;

    public double Slope => slope;

    public ModelTask Task => ModelTask.Regression;

    public PredictionOutput Predict(FeatureVector features) => PredictionOutput.Regression(intercept + (slope * features.Numeric[0]));
}
