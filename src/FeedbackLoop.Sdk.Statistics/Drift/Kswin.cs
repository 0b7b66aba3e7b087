using FeedbackLoop.Numerics;
using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// KSWIN, the Kolmogorov-Smirnov windowing detector of Raab, Heusinger and Schleif (2020), "Reactive Soft Prototype
/// Computing for Concept Drift Streams", Neurocomputing 416, pp. 340-351, in the form of River's <c>drift.KSWIN</c>:
/// the newest values of a sliding window are compared with a random sample of its older values by a two-sample
/// Kolmogorov-Smirnov test.
/// </summary>
/// <remarks>
/// <para>
/// The detector keeps the last <see cref="WindowSize"/> values. Once the window is full, every value triggers a test:
/// the newest <see cref="StatisticSize"/> values (<c>R</c>) against <see cref="StatisticSize"/> values drawn without
/// replacement from the older <c>WindowSize - StatisticSize</c> (<c>W</c>). As in River, a drift is raised when the
/// KS p-value is at most <see cref="Alpha"/> and the statistic exceeds 0.1. With equal sample sizes the exact p-value
/// (scipy's <c>ks_2samp</c> for samples this small) depends only on <c>h = D · r</c>, so the p-value of every
/// possible <c>h</c> is computed once in the constructor and each update only sorts two small samples.
/// </para>
/// <para>
/// Sampling is seeded and reproducible: a SplitMix64 generator (whose state is saved in snapshots) drives a partial
/// Fisher-Yates shuffle of the older positions. It does not reproduce the stream of Python's <c>random</c>, so the
/// sample drawn at a given step differs from River's while following the same distribution. After a drift the
/// detector restarts, as River does: the next <see cref="Update"/> empties the window and restarts the generator from
/// the seed. There is no warning zone.
/// </para>
/// <para>Instances are not thread-safe. <see cref="Update"/> does not allocate.</para>
/// </remarks>
public sealed class Kswin : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    // River's second condition: the statistic must also exceed 0.1.
    private const double MinimumStatistic = 0.1;

    private readonly double _alpha;
    private readonly int _windowSize;
    private readonly int _statisticSize;
    private readonly ulong _seed;
    private readonly double[] _pValues;
    private readonly double[] _window;
    private readonly int[] _positions;
    private readonly double[] _sample;
    private readonly double[] _recent;

    private SplitMix64 _random;
    private int _filled;
    private int _next;
    private double _statistic;
    private double _pValue;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="Kswin"/> class.</summary>
    /// <param name="alpha">The significance level of the KS test, in (0, 1). Defaults to 0.005 (River).</param>
    /// <param name="windowSize">The number of values in the sliding window. Defaults to 100 (River).</param>
    /// <param name="statisticSize">The size <c>r</c> of both compared samples; at least 2, at most half the window. Defaults to 30 (River).</param>
    /// <param name="seed">The seed of the sampling. Defaults to 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="alpha"/> is not in (0, 1), <paramref name="statisticSize"/> is less than 2, or
    /// <paramref name="windowSize"/> is less than twice <paramref name="statisticSize"/> (the older part must hold a
    /// sample of that size).
    /// </exception>
    public Kswin(double alpha = 0.005, int windowSize = 100, int statisticSize = 30, ulong seed = 0)
    {
        _alpha = DetectorArguments.OpenUnit(alpha, nameof(alpha), "Alpha");
        _statisticSize = DetectorArguments.AtLeast(statisticSize, 2, nameof(statisticSize), "The statistic size");
        _windowSize = DetectorArguments.AtLeast(windowSize, 2 * statisticSize, nameof(windowSize), "The window size (twice the statistic size)");
        _seed = seed;
        _pValues = new double[statisticSize + 1];
        _pValues[0] = 1.0;
        for (int h = 1; h <= statisticSize; h++)
        {
            _pValues[h] = KolmogorovSmirnovTest.PValue(statisticSize, statisticSize, (double)h / statisticSize).PValue;
        }

        _window = new double[windowSize];
        _positions = new int[windowSize - statisticSize];
        _sample = new double[statisticSize];
        _recent = new double[statisticSize];
        Reset();
    }

    /// <summary>Gets the significance level of the KS test.</summary>
    /// <value>0.005 by default.</value>
    public double Alpha => _alpha;

    /// <summary>Gets the number of values in the sliding window.</summary>
    /// <value>100 by default.</value>
    public int WindowSize => _windowSize;

    /// <summary>Gets the size of both compared samples.</summary>
    /// <value>30 by default.</value>
    public int StatisticSize => _statisticSize;

    /// <summary>Gets the seed of the sampling.</summary>
    /// <value>0 by default.</value>
    public ulong Seed => _seed;

    /// <inheritdoc />
    /// <remarks>Never <see cref="DriftState.Warning"/>.</remarks>
    public DriftState State => _state;

    /// <summary>Gets the KS statistic of the last test.</summary>
    /// <value>0 before the window is first full.</value>
    public double Statistic => _statistic;

    /// <summary>Gets the exact p-value of the last test.</summary>
    /// <value>1 before the window is first full.</value>
    public double PValue => _pValue;

    /// <summary>Adds one value and, once the window is full, tests its newest values against a sample of its older ones.</summary>
    /// <param name="value">The observation; any finite number.</param>
    /// <returns><see cref="DriftState.Drift"/> when this value's test found a change, otherwise <see cref="DriftState.None"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite; the state is kept.</exception>
    public DriftState Update(double value)
    {
        if (!double.IsFinite(value))
        {
            DetectorArguments.ThrowNotFinite("KSWIN", value);
        }

        if (_state == DriftState.Drift)
        {
            Reset();
        }

        _window[_next] = value;
        _next = _next + 1 == _windowSize ? 0 : _next + 1;
        if (_filled < _windowSize)
        {
            _filled++;
            if (_filled < _windowSize)
            {
                return _state;
            }
        }

        // The window is full, so its oldest value sits at _next; logical position i is at (_next + i) mod size.
        int older = _positions.Length;
        for (int k = 0; k < _sample.Length; k++)
        {
            int j = k + _random.NextInt32(older - k);
            (_positions[k], _positions[j]) = (_positions[j], _positions[k]);
            _sample[k] = _window[(_next + _positions[k]) % _windowSize];
        }

        for (int k = 0; k < _recent.Length; k++)
        {
            _recent[k] = _window[(_next + older + k) % _windowSize];
        }

        Array.Sort(_sample);
        Array.Sort(_recent);
        double statistic = KolmogorovSmirnovTest.Statistic(_sample, _recent);
        _statistic = statistic;
        _pValue = _pValues[(int)Math.Round(statistic * _statisticSize)];
        _state = _pValue <= _alpha && statistic > MinimumStatistic ? DriftState.Drift : DriftState.None;
        return _state;
    }

    /// <inheritdoc />
    /// <remarks>Also restarts the sampling generator from <see cref="Seed"/>.</remarks>
    public void Reset()
    {
        _random = new SplitMix64(_seed);
        for (int i = 0; i < _positions.Length; i++)
        {
            _positions[i] = i;
        }

        _filled = 0;
        _next = 0;
        _statistic = 0;
        _pValue = 1;
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot() =>
        new SnapshotWriter(nameof(Kswin), SnapshotVersion)
            .Write(_alpha).Write(_windowSize).Write(_statisticSize).Write((long)_seed)
            .Write((long)_random.State).Write(_filled).Write(_next).Write(_statistic).Write(_pValue).Write((int)_state)
            .Write(_window.AsSpan(0, _filled))
            .Write(Array.ConvertAll(_positions, p => (long)p))
            .ToSnapshot();

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(Kswin), SnapshotVersion);
        reader.ExpectParameter(nameof(Alpha), _alpha);
        reader.ExpectParameter(nameof(WindowSize), _windowSize);
        reader.ExpectParameter(nameof(StatisticSize), _statisticSize);
        reader.ExpectParameter(nameof(Seed), (long)_seed);
        ulong randomState = (ulong)reader.ReadInt64();
        int filled = reader.ReadInt32();
        int next = reader.ReadInt32();
        double statistic = reader.ReadDouble();
        double pValue = reader.ReadDouble();
        var state = (DriftState)reader.ReadInt32();
        double[] window = reader.ReadDoubles(_windowSize);
        long[] positions = reader.ReadInt64s(_positions.Length);
        reader.End();
        bool permutation = positions.Length == _positions.Length
            && positions.Order().SequenceEqual(Enumerable.Range(0, _positions.Length).Select(i => (long)i));
        if (filled != window.Length || next < 0 || next >= _windowSize || !permutation || state is not (DriftState.None or DriftState.Drift))
        {
            throw reader.Corrupt("the window, the sampling positions or the state are out of range");
        }

        window.CopyTo(_window, 0);
        for (int i = 0; i < positions.Length; i++)
        {
            _positions[i] = (int)positions[i];
        }

        _random = new SplitMix64(randomState);
        _filled = filled;
        _next = next;
        _statistic = statistic;
        _pValue = pValue;
        _state = state;
    }
}
