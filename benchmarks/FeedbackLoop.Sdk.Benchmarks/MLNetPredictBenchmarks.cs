using BenchmarkDotNet.Attributes;
using FeedbackLoop.MLNet;
using FeedbackLoop.Models;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Scoring one input with an ML.NET model (LightGbm, the default pipeline, trained by the loop's trainer on 2,000 rows
/// of 6 numeric and 2 categorical features): the loop's <see cref="IPredictor.Predict"/> on the
/// <see cref="MLNetModel"/> against the host's way without the loop, a <c>PredictionEngine</c> over input and output
/// classes rented from an <see cref="ObjectPool{T}"/> (what Microsoft.Extensions.ML's <c>PredictionEnginePool</c> does),
/// on the same transformer and the same 1,024 inputs; and <c>IFeedbackLoop.Predict</c>, which also records the prediction.
/// </summary>
[MemoryDiagnoser]
public class MLNetPredictBenchmarks
{
    private const int Inputs = 1_024;
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder()
        .Numeric("n1").Numeric("n2").Numeric("n3").Numeric("n4").Numeric("n5").Numeric("n6").Categorical("c1").Categorical("c2").Build();

    private static readonly string[] Colours = ["red", "green", "blue", "cyan"];
    private static readonly string[] Sizes = ["s", "m", "l"];

    private FeatureVector[] _vectors = [];
    private Input[] _inputs = [];
    private MLNetModel _model = null!;
    private IFeedbackLoop _loop = null!;
    private Func<Input, object> _engine = null!;

    /// <summary>Gets or sets the task: binary (calibrated probability), multiclass (3 classes) or regression.</summary>
    [Params("binary", "multiclass", "regression")]
    public string Task { get; set; } = "binary";

    [GlobalSetup]
    public void Setup()
    {
        var task = Task switch { "binary" => ModelTask.Binary, "multiclass" => ModelTask.Multiclass("a", "b", "c"), _ => ModelTask.Regression };
        var random = new Random(17);
        var training = TrainingSet.CreateBuilder(Schema, task);
        for (var i = 0; i < 2_000; i++)
        {
            var (vector, _) = Draw(random);
            var s = vector.Numeric[0] + vector.Numeric[1] + (vector.Categorical[0] == "red" ? 0.5 : 0) + (0.3 * random.NextDouble());
            training.Add(vector, task.Kind switch
            {
                ModelTaskKind.Binary => Label.Binary(s > 1.2),
                ModelTaskKind.Multiclass => Label.Categorical(s < 0.9 ? "a" : s < 1.5 ? "b" : "c"),
                _ => Label.Numeric(s),
            });
        }

        var trained = new MLNetTrainer().TrainAsync(training.Build(), CancellationToken.None).GetAwaiter().GetResult();
        _model = (MLNetModel)trained.Predictor;
        var inputs = Enumerable.Range(0, Inputs).Select(_ => Draw(random)).ToArray();
        _vectors = [.. inputs.Select(i => i.Vector)];
        _inputs = [.. inputs.Select(i => i.Input)];
        _engine = task.Kind switch
        {
            ModelTaskKind.Binary => Pooled<BinaryOutput>(_model.Transformer),
            ModelTaskKind.Multiclass => Pooled<MulticlassOutput>(_model.Transformer),
            _ => Pooled<RegressionOutput>(_model.Transformer),
        };
        _loop = new FeedbackLoopBuilder("bench").WithSchema(Schema).ForTask(task).UseMLNet().Build();
        _loop.PromoteAsync(trained, new Registry.AliasChange("bench", "setup"), CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _loop.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Inputs)]
    public object? PooledPredictionEngine()
    {
        object? last = null;
        foreach (var input in _inputs)
        {
            last = _engine(input);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Inputs)]
    public PredictionOutput LoopPredictor()
    {
        PredictionOutput last = default;
        foreach (var vector in _vectors)
        {
            last = _model.Predict(vector);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Inputs)]
    public Prediction? LoopPredictAndRecord()
    {
        Prediction? last = null;
        foreach (var vector in _vectors)
        {
            last = _loop.Predict(vector);
        }

        return last;
    }

    private static (FeatureVector Vector, Input Input) Draw(Random random)
    {
        double[] numeric = [.. Enumerable.Range(0, 6).Select(_ => random.NextDouble())];
        string?[] categorical = [Colours[random.Next(Colours.Length)], Sizes[random.Next(Sizes.Length)]];
        var input = new Input
        {
            N1 = (float)numeric[0], N2 = (float)numeric[1], N3 = (float)numeric[2], N4 = (float)numeric[3], N5 = (float)numeric[4], N6 = (float)numeric[5],
            C1 = categorical[0]!, C2 = categorical[1]!,
        };
        return (FeatureVector.Create(Schema, numeric, categorical), input);
    }

    private static Func<Input, object> Pooled<TOutput>(ITransformer model)
        where TOutput : class, new()
    {
        var context = new MLContext();
        var pool = new DefaultObjectPool<PredictionEngine<Input, TOutput>>(new EnginePolicy<TOutput>(context, model), Environment.ProcessorCount * 2);
        return input =>
        {
            var engine = pool.Get();
            try
            {
                return engine.Predict(input);
            }
            finally
            {
                pool.Return(engine);
            }
        };
    }

    private sealed class EnginePolicy<TOutput>(MLContext context, ITransformer model) : IPooledObjectPolicy<PredictionEngine<Input, TOutput>>
        where TOutput : class, new()
    {
        public PredictionEngine<Input, TOutput> Create() => context.Model.CreatePredictionEngine<Input, TOutput>(model);

        public bool Return(PredictionEngine<Input, TOutput> obj) => true;
    }

    public sealed class Input
    {
        [ColumnName("n1")] public float N1 { get; set; }
        [ColumnName("n2")] public float N2 { get; set; }
        [ColumnName("n3")] public float N3 { get; set; }
        [ColumnName("n4")] public float N4 { get; set; }
        [ColumnName("n5")] public float N5 { get; set; }
        [ColumnName("n6")] public float N6 { get; set; }
        [ColumnName("c1")] public string C1 { get; set; } = string.Empty;
        [ColumnName("c2")] public string C2 { get; set; } = string.Empty;
    }

    public sealed class BinaryOutput
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }

    public sealed class MulticlassOutput
    {
        public float[] Score { get; set; } = [];
    }

    public sealed class RegressionOutput
    {
        public float Score { get; set; }
    }
}
