using BenchmarkDotNet.Attributes;
using FeedbackLoop.Models;
using FeedbackLoop.Onnx;
using FeedbackLoop.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// One prediction of a 10-feature logistic-regression ONNX model (MatMul, Add, Sigmoid, Concat: skl2onnx's layout),
/// three ways: <see cref="SessionRun"/> (the baseline) is what a host writes against ONNX Runtime directly, a tensor
/// over the row's floats and <c>InferenceSession.Run</c> returning the outputs it allocates;
/// <see cref="SessionRunPreallocated"/> is the best a host does with <c>Run</c>, outputs pre-allocated and reused;
/// <see cref="Predict"/> is <see cref="OnnxPredictor.Predict"/> from the loop's <see cref="FeatureVector"/>, with its
/// pooled tensors bound to the session once (<c>OrtIoBinding</c>) and the probability checks.
/// </summary>
[MemoryDiagnoser]
public class OnnxPredictorBenchmarks
{
    private const int Features = 10;

    private OnnxPredictor _predictor = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private FeatureVector _input = null!;
    private float[] _row = null!;
    private float[] _output = null!;
    private OrtValue _inputValue = null!;
    private OrtValue _outputValue = null!;
    private string[] _inputNames = null!;
    private string[] _outputNames = null!;

    [GlobalSetup]
    public void Setup()
    {
        var schema = TestModels.Numeric(Features);
        var weights = Enumerable.Range(0, Features).Select(i => (i % 3) - 1f).ToArray();
        var model = TestModels.Binary(weights, 0.1f);
        _predictor = (OnnxPredictor)OnnxModel.FromBytes(model, schema, ModelTask.Binary).Predictor;
        using var options = new OnnxSessionOptions().ToSessionOptions();
        _session = new InferenceSession(model, options);
        _runOptions = new RunOptions();
        _input = FeatureVector.Create(schema, [.. Enumerable.Range(0, Features).Select(i => i / 10.0)]);
        _row = new float[Features];
        _output = new float[2];
        _inputValue = OrtValue.CreateTensorValueFromMemory(_row, [1, Features]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [1, 2]);
        _inputNames = ["X"];
        _outputNames = ["probabilities"];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _predictor.Dispose();
        _inputValue.Dispose();
        _outputValue.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true)]
    public double SessionRun()
    {
        var numeric = _input.Numeric;
        var row = new float[Features];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = (float)numeric[i];
        }

        using var input = OrtValue.CreateTensorValueFromMemory(row, [1, Features]);
        using var outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[1];
    }

    [Benchmark]
    public double SessionRunPreallocated()
    {
        var numeric = _input.Numeric;
        for (var i = 0; i < _row.Length; i++)
        {
            _row[i] = (float)numeric[i];
        }

        _session.Run(_runOptions, _inputNames, [_inputValue], _outputNames, [_outputValue]);
        return _output[1];
    }

    [Benchmark]
    public double Predict() => _predictor.Predict(_input).Score;
}
