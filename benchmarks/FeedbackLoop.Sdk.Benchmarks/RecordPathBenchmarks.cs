using BenchmarkDotNet.Attributes;
using FeedbackLoop.Drift;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// The record path, as a host drives it: per operation one new prediction is recorded and the ground truth of the
/// prediction made half the store's capacity earlier arrives and joins it. The store runs full (steady state),
/// evicting one prediction per new one. Two store sizes: 4,096 predictions, where the store's working set stays
/// in cache and the figure is the SDK's CPU cost, and the default 100,000, where every join and every index
/// update is a cache miss and the figure is dominated by memory latency.
/// </summary>
/// <remarks>
/// The baseline creates the same events without recording them (the host's own work: ids, the two event objects).
/// The SDK's cost per pair is the difference of the two means; its allocation is the difference of the two
/// allocation columns, which must be zero.
/// </remarks>
[MemoryDiagnoser]
public class RecordPathBenchmarks
{
    private const int Batch = 4_096;
    private const int Features = 10;

    private PredictionId[] _awaitingLabel = null!;
    private IFeedbackLoop _loop = null!;
    private FeatureVector[] _inputs = null!;
    private int _cursor;

    /// <summary>Gets or sets how many of the 10 numeric features are monitored by a Page-Hinkley detector each.</summary>
    [Params(0, 10)]
    public int MonitoredFeatures { get; set; }

    /// <summary>Gets or sets the store's capacity (<see cref="Storage.FeedbackStoreOptions.PredictionCapacity"/>).</summary>
    [Params(4_096, 100_000)]
    public int StoreCapacity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var schema = FeatureSchema.CreateBuilder();
        for (var f = 0; f < Features; f++)
        {
            schema.Numeric($"x{f}");
        }

        var builder = new FeedbackLoopBuilder("bench").WithSchema(schema.Build()).Configure(o =>
        {
            o.Store.PredictionCapacity = StoreCapacity;
            o.TrainingWindowSize = Math.Min(o.TrainingWindowSize, StoreCapacity);
        });
        for (var f = 0; f < MonitoredFeatures; f++)
        {
            builder.MonitorFeature($"x{f}", () => new PageHinkley());
        }

        _loop = builder.Build();

        // A multiple of the 1,024 inputs, so each label meets the same input its prediction had.
        _awaitingLabel = new PredictionId[StoreCapacity / 2 / 1_024 * 1_024];
        var random = new Random(1);
        _inputs = new FeatureVector[1_024];
        var values = new double[Features];
        for (var i = 0; i < _inputs.Length; i++)
        {
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = random.NextDouble();
            }

            _inputs[i] = FeatureVector.Create(_loop.Schema, values);
        }

        // Fill the store past its capacity so every measured operation evicts, as in a long-running service.
        for (var i = 0; i < 2 * StoreCapacity; i++)
        {
            RecordPair();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _loop.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int CreateEventsOnly()
    {
        var checksum = 0;
        for (var n = 0; n < Batch; n++)
        {
            var (prediction, feedback) = NextPair();
            checksum += prediction.Features.Numeric.Length + (feedback.IsLabel ? 1 : 0);
        }

        return checksum;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int CreateAndRecord()
    {
        var joined = 0;
        for (var n = 0; n < Batch; n++)
        {
            joined += RecordPair();
        }

        return joined;
    }

    private int RecordPair()
    {
        var (prediction, feedback) = NextPair();
        _loop.RecordPrediction(prediction);
        return _loop.RecordFeedback(feedback) == FeedbackRecordStatus.Joined ? 1 : 0;
    }

    private (Prediction Prediction, Feedback Feedback) NextPair()
    {
        var cursor = _cursor;
        _cursor = cursor + 1 == _awaitingLabel.Length ? 0 : cursor + 1;
        var input = _inputs[cursor & (_inputs.Length - 1)];
        var prediction = new Prediction(PredictionId.New(), "bench", "1", default, input, PredictionOutput.Binary(input.Numeric[0]));
        // The label is the model's output, flipped for 10% of inputs: the error monitor sees a stationary 10% error rate.
        var feedback = Feedback.GroundTruth(_awaitingLabel[cursor], (input.Numeric[0] >= 0.5) ^ (input.Numeric[1] < 0.1));
        _awaitingLabel[cursor] = prediction.Id;
        return (prediction, feedback);
    }
}
