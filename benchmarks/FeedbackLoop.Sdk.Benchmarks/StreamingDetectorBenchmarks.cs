using BenchmarkDotNet.Attributes;
using FeedbackLoop.Drift;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Per-update cost of each streaming detector on a stationary stream of 4,096 values (0/1 errors at rate 0.1, the
/// input of the error-rate detectors), next to a baseline that only sums the stream. Stationary, so no restart after a
/// drift dominates; every detector runs its full decision path on every value (ADWIN scans on its clock). Each
/// method calls its detector through the concrete type, as a host holding the detector does, so the figure is the
/// detector's own cost; a call through <see cref="IDriftDetector"/> adds an interface dispatch.
/// </summary>
[MemoryDiagnoser]
public class StreamingDetectorBenchmarks
{
    private const int Length = 4_096;

    private readonly double[] _stream = BenchmarkData.Uniform(seed: 3, Length, scale: 1).Select(u => u < 0.1 ? 1.0 : 0.0).ToArray();
    private readonly PageHinkley _pageHinkley = new();
    private readonly Cusum _cusum = new();
    private readonly Ddm _ddm = new(minimumInstances: 1_000);
    private readonly Eddm _eddm = new();
    private readonly HddmA _hddmA = new();
    private readonly HddmW _hddmW = new();
    private readonly Adwin _adwin = new();
    private readonly Adwin _adwinFresh = new();
    private readonly Kswin _kswin = new();

    [Benchmark(Baseline = true, OperationsPerInvoke = Length)]
    public double SumOnly()
    {
        double sum = 0;
        foreach (double value in _stream)
        {
            sum += value;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState PageHinkley()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _pageHinkley.Update(value);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public int PageHinkleyBatch() => AddAll(_pageHinkley);

    [Benchmark(OperationsPerInvoke = Length)]
    public int CusumBatch() => AddAll(_cusum);

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState Cusum()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _cusum.Update(value);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState Ddm()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _ddm.Update(value);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState Eddm()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _eddm.Update(value);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState HddmA()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _hddmA.Update(value);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState HddmW()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _hddmW.Update(value);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState Adwin()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _adwin.Update(value);
        }

        return last;
    }

    /// <summary>ADWIN restarted at every operation, so its window holds at most 4,096 values (about 10 bucket rows),
    /// where <see cref="Adwin"/> keeps one detector whose window grows to tens of millions over the run.</summary>
    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState AdwinWindowUpTo4096()
    {
        _adwinFresh.Reset();
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _adwinFresh.Update(value);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public DriftState Kswin()
    {
        DriftState last = DriftState.None;
        foreach (double value in _stream)
        {
            last = _kswin.Update(value);
        }

        return last;
    }

    /// <summary>Feeds the stream through <see cref="IDriftDetector.UpdateUntilDrift"/>, going on after any drift.</summary>
    private int AddAll<TDetector>(TDetector detector)
        where TDetector : IDriftDetector
    {
        ReadOnlySpan<double> rest = _stream;
        int drifts = 0;
        while (!rest.IsEmpty)
        {
            rest = rest[detector.UpdateUntilDrift(rest)..];
            drifts += detector.State == DriftState.Drift ? 1 : 0;
        }

        return drifts;
    }
}
