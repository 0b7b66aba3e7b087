using BenchmarkDotNet.Attributes;
using FeedbackLoop.Evaluation;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// ROC AUC, log loss and Brier score over 1,000,000 examples, on the data of
/// benchmarks/reference/time_sklearn_metrics.py (label i is u_i &lt; 0.3 from seed 11; score i is 0.3 · label + 0.7 · v_i
/// from seed 12, rounded to 3 decimals so that ties are common), beside a baseline that only sums the scores.
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private const int Count = 1_000_000;

    private readonly bool[] _actual = BenchmarkData.Uniform(seed: 11, Count, scale: 1).Select(u => u < 0.3).ToArray();
    private readonly double[] _scores;

    public EvaluationBenchmarks()
    {
        double[] noise = BenchmarkData.Uniform(seed: 12, Count, scale: 1);
        _scores = noise.Select((v, i) => Math.Round((0.3 * (_actual[i] ? 1 : 0)) + (0.7 * v), 3)).ToArray();
    }

    [Benchmark(Baseline = true)]
    public double SumOnly()
    {
        double sum = 0;
        foreach (double score in _scores)
        {
            sum += score;
        }

        return sum;
    }

    [Benchmark]
    public double RocAuc() => BinaryClassificationMetrics.RocAuc(_actual, _scores);

    [Benchmark]
    public double LogLoss() => BinaryClassificationMetrics.LogLoss(_actual, _scores);

    [Benchmark]
    public double BrierScore() => BinaryClassificationMetrics.BrierScore(_actual, _scores);
}
