using FeedbackLoop.Models;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>
/// Labelled streams for the three tasks over the rotating-hyperplane stream's features (x1..x4 uniform in [0, 1]),
/// each with one abrupt drift at <see cref="DriftPoint"/>: binary is the stream's own label (half the weights change
/// sign); multiclass is the region of s = x1 + x2 (below 0.8 "low", below 1.2 "mid", else "high") with "low" and
/// "high" swapped after the drift (64% of the labels change); regression is 3·x1 + 2·x2 + N(0, 0.1²), shifted by +3
/// and with x1's slope negated after the drift.
/// </summary>
public sealed class TaskTraffic
{
    public const long DriftPoint = 1_200;

    public static readonly ModelTask Regions = ModelTask.Multiclass("low", "mid", "high");

    private readonly RotatingHyperplaneStream _stream;
    private readonly Random _noise;

    public TaskTraffic(ModelTask task, int seed = 7)
    {
        Task = task;
        _stream = new RotatingHyperplaneStream(seed, dimensions: 4, driftPoints: [DriftPoint], noise: 0.02);
        _noise = new Random(seed);
    }

    public ModelTask Task { get; }

    public FeatureSchema Schema => _stream.Schema;

    public (FeatureVector Features, Label Label) Next()
    {
        var sample = _stream.Next();
        var drifted = sample.Concept > 0;
        var x = sample.Features.Numeric;
        return (sample.Features, Task.Kind switch
        {
            ModelTaskKind.Binary => sample.Label,
            ModelTaskKind.Multiclass => Label.Categorical(Region(x[0] + x[1], drifted)),
            _ => Label.Numeric(Target(x[0], x[1], drifted) + (0.1 * Gaussian(_noise))),
        });
    }

    public TrainingSet Take(int count)
    {
        var set = TrainingSet.CreateBuilder(Schema, Task);
        for (var i = 0; i < count; i++)
        {
            var (features, label) = Next();
            set.Add(features, label);
        }

        return set.Build();
    }

    private static string Region(double s, bool swapped) => s < 0.8 ? (swapped ? "high" : "low") : s < 1.2 ? "mid" : (swapped ? "low" : "high");

    private static double Target(double x1, double x2, bool drifted) => drifted ? (-3 * x1) + (2 * x2) + 3 : (3 * x1) + (2 * x2);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
