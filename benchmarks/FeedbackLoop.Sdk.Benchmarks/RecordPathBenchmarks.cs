using BenchmarkDotNet.Attributes;
using FeedbackLoop.Drift;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// The record path: one prediction plus its ground-truth feedback, in memory, per operation. Events are created
/// up front (that is the host's work); the store's capacity is half the event pool, so every recorded prediction
/// evicts an old one and every feedback id pushes an old one out: the steady state of a long-running service.
/// The baseline joins the same ids in a bare dictionary, the least a join by id can cost.
/// </summary>
[MemoryDiagnoser]
public class RecordPathBenchmarks
{
    private const int Pool = 1 << 13;
    private const int Batch = 4_096;

    private IFeedbackLoop _loop = null!;
    private Prediction[] _predictions = null!;
    private Feedback[] _feedback = null!;
    private Dictionary<PredictionId, Prediction> _baseline = null!;
    private int _next;

    /// <summary>Gets or sets how many of the 10 numeric features are monitored by a Page-Hinkley detector each.</summary>
    [Params(0, 10)]
    public int MonitoredFeatures { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var schema = FeatureSchema.CreateBuilder();
        for (var f = 0; f < 10; f++)
        {
            schema.Numeric($"x{f}");
        }

        var builder = new FeedbackLoopBuilder("bench").WithSchema(schema.Build()).Configure(o =>
        {
            o.Store.PredictionCapacity = Pool / 2;
            o.TrainingWindowSize = Pool / 4;
        });
        for (var f = 0; f < MonitoredFeatures; f++)
        {
            builder.MonitorFeature($"x{f}", () => new PageHinkley());
        }

        _loop = builder.Build();
        var random = new Random(1);
        _predictions = new Prediction[Pool];
        _feedback = new Feedback[Pool];
        Span<double> values = stackalloc double[10];
        for (var i = 0; i < Pool; i++)
        {
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = random.NextDouble();
            }

            var label = values[0] > 0.5;
            _predictions[i] = new Prediction(
                PredictionId.New(), "bench", "1", default, FeatureVector.Create(_loop.Schema, values), PredictionOutput.Binary(label ? 0.8 : 0.2));
            _feedback[i] = Feedback.GroundTruth(_predictions[i].Id, random.NextDouble() < 0.9 ? label : !label);
        }

        _baseline = new Dictionary<PredictionId, Prediction>(Pool / 2);

        // Fill the store once so that every measured operation is in steady state (evicting as it records).
        for (var i = 0; i < Pool; i++)
        {
            _loop.RecordPrediction(_predictions[i]);
            _loop.RecordFeedback(_feedback[i]);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _loop.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int DictionaryJoin()
    {
        var joined = 0;
        for (var n = 0; n < Batch; n++)
        {
            var i = Next();
            var prediction = _predictions[i];
            _baseline.Remove(_predictions[(i + (Pool / 2)) & (Pool - 1)].Id);
            _baseline.TryAdd(prediction.Id, prediction);
            joined += _baseline.ContainsKey(_feedback[i].PredictionId) ? 1 : 0;
        }

        return joined;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int RecordPredictionAndFeedback()
    {
        var joined = 0;
        for (var n = 0; n < Batch; n++)
        {
            var i = Next();
            _loop.RecordPrediction(_predictions[i]);
            joined += _loop.RecordFeedback(_feedback[i]) == Storage.FeedbackRecordStatus.Joined ? 1 : 0;
        }

        return joined;
    }

    private int Next() => _next = (_next + 1) & (Pool - 1);
}
