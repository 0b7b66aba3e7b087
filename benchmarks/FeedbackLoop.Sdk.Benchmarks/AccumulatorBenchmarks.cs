using BenchmarkDotNet.Attributes;
using FeedbackLoop.Evaluation;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Cost per update of each streaming accumulator of FeedbackLoop.Evaluation over 4,096 (label, prediction, score)
/// triples, beside a baseline that only sums the scores. Each accumulator keeps growing across iterations (as in a
/// window), so no reset is timed.
/// </summary>
[MemoryDiagnoser]
public class AccumulatorBenchmarks
{
    private const int Length = 4_096;

    private readonly double[] _scores = BenchmarkData.Uniform(seed: 21, Length, scale: 1);
    private readonly bool[] _actual;
    private readonly bool[] _predicted;
    private readonly ConfusionMatrix _matrix = new(2);
    private readonly ProbabilityLossAccumulator _losses = new();
    private readonly BinnedRocAuc _auc = new();
    private readonly CalibrationAccumulator _calibration = new();
    private readonly RegressionAccumulator _regression = new();

    public AccumulatorBenchmarks()
    {
        _actual = BenchmarkData.Uniform(seed: 22, Length, scale: 1).Select((u, i) => u < _scores[i]).ToArray();
        _predicted = _scores.Select(s => s >= 0.5).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Length)]
    public double SumOnly()
    {
        double sum = 0;
        foreach (double score in _scores)
        {
            sum += score;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public double ConfusionMatrixAdd()
    {
        for (int i = 0; i < Length; i++)
        {
            _matrix.Add(_actual[i], _predicted[i]);
        }

        return _matrix.TotalWeight;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public double ProbabilityLossAdd()
    {
        for (int i = 0; i < Length; i++)
        {
            _losses.Add(_actual[i], _scores[i]);
        }

        return _losses.TotalWeight;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public int BinnedRocAucAdd()
    {
        for (int i = 0; i < Length; i++)
        {
            _auc.Add(_actual[i], _scores[i]);
        }

        return _auc.BinCount;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public double CalibrationAdd()
    {
        for (int i = 0; i < Length; i++)
        {
            _calibration.Add(_actual[i], _scores[i]);
        }

        return _calibration.TotalWeight;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public long RegressionAdd()
    {
        for (int i = 0; i < Length; i++)
        {
            _regression.Add(_actual[i] ? 1 : 0, _scores[i]);
        }

        return _regression.Count;
    }
}
