using BenchmarkDotNet.Attributes;
using FeedbackLoop.Drift;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Two-sample tests on 1,000,000 reference values against 1,000,000 current values (the data of
/// benchmarks/reference/time_scipy_two_sample.py), with the reference prepared once (sorted, binned) and, for
/// comparison, prepared on every call. The baseline copies and sums the current sample.
/// </summary>
[MemoryDiagnoser]
public class TwoSampleTestBenchmarks
{
    private const int Size = 1_000_000;

    private readonly double[] _reference = BenchmarkData.Uniform(seed: 1, Size);
    private readonly double[] _current = BenchmarkData.Uniform(seed: 2, Size, shift: 0.5);
    private readonly KolmogorovSmirnovTest _ks = new();
    private readonly WassersteinDistance _wasserstein = new(normed: false);
    private readonly PopulationStabilityIndex _psi = new();
    private IPreparedTwoSampleTest _preparedKs = null!;
    private IPreparedTwoSampleTest _preparedWasserstein = null!;
    private IPreparedTwoSampleTest _preparedPsi = null!;

    [GlobalSetup]
    public void Setup()
    {
        _preparedKs = _ks.Prepare(_reference);
        _preparedWasserstein = _wasserstein.Prepare(_reference);
        _preparedPsi = _psi.Prepare(_reference);
    }

    [Benchmark(Baseline = true)]
    public double CopyAndSumCurrent()
    {
        double[] copy = (double[])_current.Clone();
        double sum = 0;
        foreach (double value in copy)
        {
            sum += value;
        }

        return sum;
    }

    [Benchmark]
    public double KolmogorovSmirnovPrepared() => _preparedKs.Compare(_current).Statistic;

    [Benchmark]
    public double KolmogorovSmirnovUnprepared() => _ks.Test(_reference, _current).Statistic;

    [Benchmark]
    public double WassersteinPrepared() => _preparedWasserstein.Compare(_current).Statistic;

    [Benchmark]
    public double WassersteinUnprepared() => _wasserstein.Test(_reference, _current).Statistic;

    [Benchmark]
    public double PsiPrepared() => _preparedPsi.Compare(_current).Statistic;

    [Benchmark]
    public double PsiUnprepared() => _psi.Test(_reference, _current).Statistic;
}
