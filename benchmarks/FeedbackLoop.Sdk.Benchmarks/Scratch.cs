using BenchmarkDotNet.Attributes;
using FeedbackLoop.Storage;
using FeedbackLoop.Drift;
namespace FeedbackLoop.Benchmarks;
[MemoryDiagnoser]
public class ScratchBenchmarks
{
    [Params(1 << 9, 1 << 13, 1 << 17)] public int Pool { get; set; }
    private const int Batch = 4096;
    private InMemoryFeedbackStore _store = null!;
    private Prediction[] _p = null!;
    private Feedback[] _f = null!;
    private int _next;
    private Ddm _ddm = new();
    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryFeedbackStore(new FeedbackStoreOptions { PredictionCapacity = Pool / 2 });
        var schema = FeatureSchema.CreateBuilder().Numeric("a").Build();
        _p = new Prediction[Pool]; _f = new Feedback[Pool];
        for (var i = 0; i < Pool; i++) { _p[i] = new Prediction(PredictionId.New(), "b", "1", default, FeatureVector.Create(schema, [1.0]), PredictionOutput.Binary(0.4)); _f[i] = Feedback.GroundTruth(_p[i].Id, true); }
        for (var i = 0; i < Pool; i++) { _store.RecordPrediction(_p[i]); _store.RecordFeedback(_f[i], default); }
    }
    [Benchmark(OperationsPerInvoke = Batch)]
    public int StoreOnly()
    {
        var j = 0;
        for (var n = 0; n < Batch; n++) { var i = _next = (_next + 1) & (Pool - 1); _store.RecordPrediction(_p[i]); j += _store.RecordFeedback(_f[i], default).Status == FeedbackRecordStatus.Joined ? 1 : 0; }
        return j;
    }
    [Benchmark(OperationsPerInvoke = Batch)]
    public int DdmOnly()
    {
        var j = 0;
        for (var n = 0; n < Batch; n++) { j += (int)_ddm.Update(n % 10 == 0 ? 1 : 0); }
        return j;
    }
}
