namespace FeedbackLoop.Drift;

/// <summary>
/// ADWIN, the adaptive windowing detector of Bifet and Gavaldà (2007), "Learning from Time-Changing Data with
/// Adaptive Windowing", SIAM SDM, in the exponential-histogram form of MOA's <c>ADWIN</c> (ADWIN2 in the paper): it
/// keeps a window of recent values whose mean is homogeneous, dropping the oldest part whenever two sub-windows have
/// significantly different means.
/// </summary>
/// <remarks>
/// <para>
/// The window is compressed into buckets: row <c>i</c> holds up to <see cref="MaximumBuckets"/> buckets of
/// <c>2^i</c> values each (their total and variance), and a row that overflows merges its two oldest buckets into one
/// of the next row, so memory is <c>O(M log(W / M))</c> for a window of <c>W</c> values. Every
/// <see cref="Clock"/> values, once the window is longer than <see cref="GracePeriod"/>, every cut between buckets
/// splits the window into an older part <c>W0</c> (<c>n0</c> values) and a newer part <c>W1</c> (<c>n1</c>), and the cut
/// is significant when <c>|μ0 - μ1| &gt; sqrt(2 m σ² δ') + (2 / 3) δ' m</c> (evaluated without a division or a square
/// root) with <c>δ' = ln(2 ln(W) / δ)</c>,
/// <c>m = 1 / (n0 - L + 1) + 1 / (n1 - L + 1)</c>, <c>L</c> = <see cref="MinimumWindowLength"/> and <c>σ²</c> the
/// window's variance (MOA's <c>blnCutexpression</c>, the paper's bound for variance-aware ADWIN). Only cuts with both
/// parts longer than <c>L + 1</c> are tested, as in MOA (River tests parts of at least <c>L</c>). On a significant cut
/// the oldest bucket is dropped and the scan starts again, until no cut is significant.
/// </para>
/// <para>
/// <see cref="DriftState.Drift"/> is reported for the value whose scan shrank the window; there is no warning zone.
/// ADWIN does not restart after a drift, as in the paper and MOA: dropping the stale part of the window is its
/// response, and the window that remains describes the new distribution. (River, since its 2022 detector refactor,
/// clears the whole window on the update after a drift; call <see cref="Reset"/> after a drift for that behaviour.) <see cref="Width"/>, <see cref="Mean"/> and
/// <see cref="Variance"/> describe the current window.
/// </para>
/// <para>
/// Instances are not thread-safe. <see cref="Update"/> does not allocate: the bucket rows are preallocated for any
/// window that fits in a 64-bit count.
/// </para>
/// </remarks>
public sealed class Adwin : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;
    private const int MaximumRows = 64;

    private readonly double _delta;
    private readonly int _clock;
    private readonly int _maximumBuckets;
    private readonly int _minimumWindowLength;
    private readonly int _gracePeriod;
    private readonly int _rowCapacity;
    private readonly double[] _totals;
    private readonly double[] _variances;
    private readonly int[] _rowCounts = new int[MaximumRows];

    private int _lastRow;
    private long _width;
    private double _total;
    private double _variance;
    private long _time;
    private long _untilScan;
    private long _detections;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="Adwin"/> class.</summary>
    /// <param name="delta">The confidence δ of the cut test, in (0, 1). Defaults to 0.002 (MOA, River).</param>
    /// <param name="clock">How many values pass between two scans for a cut. Defaults to 32 (MOA, River).</param>
    /// <param name="maximumBuckets">The number of buckets per row before two merge; at least 2. Defaults to 5 (MOA's <c>MAXBUCKETS</c>).</param>
    /// <param name="minimumWindowLength">L, the sub-window length offset of the cut test. Defaults to 5 (MOA's <c>mintMinWinLength</c>).</param>
    /// <param name="gracePeriod">The window length that must be exceeded before any scan. Defaults to 10 (MOA's <c>mintMinimLongitudWindow</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="delta"/> is not in (0, 1), <paramref name="clock"/> or <paramref name="minimumWindowLength"/> or
    /// <paramref name="gracePeriod"/> is less than 1, or <paramref name="maximumBuckets"/> is less than 2.
    /// </exception>
    public Adwin(double delta = 0.002, int clock = 32, int maximumBuckets = 5, int minimumWindowLength = 5, int gracePeriod = 10)
    {
        _delta = DetectorArguments.OpenUnit(delta, nameof(delta), "Delta");
        _clock = DetectorArguments.AtLeast(clock, 1, nameof(clock), "The clock");
        _maximumBuckets = DetectorArguments.AtLeast(maximumBuckets, 2, nameof(maximumBuckets), "The maximum number of buckets per row");
        _minimumWindowLength = DetectorArguments.AtLeast(minimumWindowLength, 1, nameof(minimumWindowLength), "The minimum window length");
        _gracePeriod = DetectorArguments.AtLeast(gracePeriod, 1, nameof(gracePeriod), "The grace period");
        _rowCapacity = maximumBuckets + 1;
        _totals = new double[MaximumRows * _rowCapacity];
        _variances = new double[MaximumRows * _rowCapacity];
        _untilScan = clock;
    }

    /// <summary>Gets the confidence δ of the cut test.</summary>
    /// <value>0.002 by default.</value>
    public double Delta => _delta;

    /// <summary>Gets how many values pass between two scans for a cut.</summary>
    /// <value>32 by default.</value>
    public int Clock => _clock;

    /// <summary>Gets the number of buckets per row before two merge.</summary>
    /// <value>5 by default.</value>
    public int MaximumBuckets => _maximumBuckets;

    /// <summary>Gets L, the sub-window length offset of the cut test.</summary>
    /// <value>5 by default.</value>
    public int MinimumWindowLength => _minimumWindowLength;

    /// <summary>Gets the window length that must be exceeded before any scan.</summary>
    /// <value>10 by default.</value>
    public int GracePeriod => _gracePeriod;

    /// <inheritdoc />
    /// <remarks>Never <see cref="DriftState.Warning"/>.</remarks>
    public DriftState State => _state;

    /// <summary>Gets the number of values in the current window.</summary>
    public long Width => _width;

    /// <summary>Gets the sum of the values in the current window.</summary>
    public double Total => _total;

    /// <summary>Gets the mean of the current window, ADWIN's estimate of the stream's current mean.</summary>
    /// <value>0 while the window is empty.</value>
    public double Mean => _width == 0 ? 0 : _total / _width;

    /// <summary>Gets the population variance of the current window.</summary>
    /// <value>0 while the window is empty.</value>
    public double Variance => _width == 0 ? 0 : _variance / _width;

    /// <summary>Gets the number of drifts detected since construction or <see cref="Reset"/>.</summary>
    public long Detections => _detections;

    /// <summary>Adds one value and, on the clock, drops the oldest buckets while a cut is significant.</summary>
    /// <param name="value">The observation; any finite number.</param>
    /// <returns><see cref="DriftState.Drift"/> when this value's scan shrank the window, otherwise <see cref="DriftState.None"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite; the state is kept.</exception>
    public DriftState Update(double value)
    {
        if (!double.IsFinite(value))
        {
            DetectorArguments.ThrowNotFinite("ADWIN", value);
        }

        _time++;
        Insert(value);

        // MOA scans when the time is a multiple of the clock; a countdown avoids a 64-bit division per value.
        bool due = --_untilScan == 0;
        if (due)
        {
            _untilScan = _clock;
        }

        bool change = due && _width > _gracePeriod && Shrink();
        _detections += change ? 1 : 0;
        _state = change ? DriftState.Drift : DriftState.None;
        return _state;
    }

    /// <inheritdoc />
    public void Reset()
    {
        Array.Clear(_totals);
        Array.Clear(_variances);
        Array.Clear(_rowCounts);
        _lastRow = 0;
        _width = 0;
        _total = 0;
        _variance = 0;
        _time = 0;
        _untilScan = _clock;
        _detections = 0;
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot()
    {
        int used = (_lastRow + 1) * _rowCapacity;
        return new SnapshotWriter(nameof(Adwin), SnapshotVersion)
            .Write(_delta).Write(_clock).Write(_maximumBuckets).Write(_minimumWindowLength).Write(_gracePeriod)
            .Write(_lastRow).Write(_width).Write(_total).Write(_variance).Write(_time).Write(_detections).Write((int)_state)
            .Write(_rowCounts.AsSpan(0, _lastRow + 1).ToArray().Select(c => (long)c).ToArray())
            .Write(_totals.AsSpan(0, used)).Write(_variances.AsSpan(0, used))
            .ToSnapshot();
    }

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(Adwin), SnapshotVersion);
        reader.ExpectParameter(nameof(Delta), _delta);
        reader.ExpectParameter(nameof(Clock), _clock);
        reader.ExpectParameter(nameof(MaximumBuckets), _maximumBuckets);
        reader.ExpectParameter(nameof(MinimumWindowLength), _minimumWindowLength);
        reader.ExpectParameter(nameof(GracePeriod), _gracePeriod);
        int lastRow = reader.ReadInt32();
        long width = reader.ReadInt64();
        double total = reader.ReadDouble();
        double variance = reader.ReadDouble();
        long time = reader.ReadInt64();
        long detections = reader.ReadInt64();
        var state = (DriftState)reader.ReadInt32();
        long[] rowCounts = reader.ReadInt64s(MaximumRows);
        double[] totals = reader.ReadDoubles(MaximumRows * _rowCapacity);
        double[] variances = reader.ReadDoubles(MaximumRows * _rowCapacity);
        reader.End();
        long counted = 0;
        for (int row = 0; row < rowCounts.Length; row++)
        {
            counted += rowCounts[row] is >= 0 and <= int.MaxValue ? rowCounts[row] << row : -1;
        }

        if (lastRow is < 0 or >= MaximumRows || rowCounts.Length != lastRow + 1 || totals.Length != (lastRow + 1) * _rowCapacity
            || variances.Length != totals.Length || rowCounts.Any(c => c > _maximumBuckets) || counted != width
            || time < 0 || detections < 0 || state is not (DriftState.None or DriftState.Drift))
        {
            throw reader.Corrupt("the bucket rows do not add up to the window width, or a counter or the state is out of range");
        }

        Reset();
        _lastRow = lastRow;
        for (int row = 0; row <= lastRow; row++)
        {
            _rowCounts[row] = (int)rowCounts[row];
        }

        totals.CopyTo(_totals, 0);
        variances.CopyTo(_variances, 0);
        _width = width;
        _total = total;
        _variance = variance;
        _time = time;
        _untilScan = _clock - (time % _clock);
        _detections = detections;
        _state = state;
    }

    private void Insert(double value)
    {
        // MOA's insertElement: a new bucket of one value, then the window's variance updated with the new value.
        _totals[_rowCounts[0]] = value;
        _variances[_rowCounts[0]] = 0;
        _rowCounts[0]++;
        // MOA's (W - 1)(x - T / (W - 1))² / W, as (x (W - 1) - T)² / ((W - 1) W): one division.
        long width = ++_width;
        if (width > 1)
        {
            double deviation = (value * (width - 1)) - _total;
            _variance += deviation * deviation / ((double)(width - 1) * width);
        }

        _total += value;
        if (_rowCounts[0] > _maximumBuckets)
        {
            Compress();
        }
    }

    /// <summary>MOA's compressBuckets: a full row merges its two oldest buckets into the next row, cascading.</summary>
    private void Compress()
    {
        for (int row = 0; _rowCounts[row] > _maximumBuckets; row++)
        {
            if (row == _lastRow)
            {
                _lastRow++;
            }

            // MOA's n² (μ1 - μ2)² / 2n for two buckets of n values, as (t1 - t2)² / 2n: one division.
            int at = row * _rowCapacity;
            double difference = _totals[at] - _totals[at + 1];
            double merged = difference * difference / (2.0 * (1L << row));
            int next = ((row + 1) * _rowCapacity) + _rowCounts[row + 1];
            _totals[next] = _totals[at] + _totals[at + 1];
            _variances[next] = _variances[at] + _variances[at + 1] + merged;
            _rowCounts[row + 1]++;
            RemoveOldest(row, 2);
        }
    }

    /// <summary>MOA's cut scan, repeated while it drops a bucket; true when the window shrank.</summary>
    private bool Shrink()
    {
        bool changed = false;
        bool again = true;
        while (again)
        {
            again = false;
            long n0 = 0;
            long n1 = _width;
            double u0 = 0;
            double u1 = _total;
            double logTerm = Math.Log(2 * Math.Log(_width) / _delta);
            double windowVariance = _variance / _width;
            for (int row = _lastRow; row >= 0 && !again; row--)
            {
                long size = 1L << row;
                int count = _rowCounts[row];
                for (int k = 0; k < count; k++)
                {
                    double bucketTotal = _totals[(row * _rowCapacity) + k];
                    n0 += size;
                    n1 -= size;
                    u0 += bucketTotal;
                    u1 -= bucketTotal;
                    if (row == 0 && k == count - 1)
                    {
                        break;
                    }

                    if (n1 > _minimumWindowLength + 1 && n0 > _minimumWindowLength + 1
                        && IsSignificant(n0, n1, u0, u1, logTerm, windowVariance))
                    {
                        changed = true;
                        again = true;
                        DeleteOldest();
                        break;
                    }
                }
            }
        }

        return changed;
    }

    /// <summary>
    /// MOA's cut test <c>|u0/n0 - u1/n1| &gt; sqrt(2 m σ² δ') + (2/3) δ' m</c> with <c>m = (a + b) / (a b)</c>,
    /// <c>a = n0 - L + 1</c>, <c>b = n1 - L + 1</c>, multiplied through by <c>n0 n1 a b</c> so that it needs neither a
    /// division nor a square root: with <c>D = u0 n1 - u1 n0</c> and <c>t = |D| a b - (2/3) δ' (a + b) n0 n1</c>, the cut is
    /// significant when <c>t &gt; 0</c> and <c>t² &gt; 2 δ' σ² (a + b) a b (n0 n1)²</c>.
    /// </summary>
    private bool IsSignificant(long n0, long n1, double u0, double u1, double logTerm, double windowVariance)
    {
        double product = (double)n0 * n1;
        double a = n0 - _minimumWindowLength + 1;
        double b = n1 - _minimumWindowLength + 1;
        double ab = a * b;
        double excess = (Math.Abs((u0 * n1) - (u1 * n0)) * ab) - (2.0 / 3 * logTerm * (a + b) * product);
        return excess > 0 && excess * excess > 2 * logTerm * windowVariance * (a + b) * ab * product * product;
    }

    /// <summary>MOA's deleteElement: drops the oldest bucket and takes its values out of the window's statistics.</summary>
    private void DeleteOldest()
    {
        int row = _lastRow;
        int at = row * _rowCapacity;
        long size = 1L << row;
        double bucketTotal = _totals[at];
        _width -= size;
        _total -= bucketTotal;
        double bucketMean = bucketTotal / size;
        double difference = bucketMean - (_total / _width);
        _variance -= _variances[at] + (size * _width * difference * difference / (size + _width));
        RemoveOldest(row, 1);
        if (_rowCounts[row] == 0 && _lastRow > 0)
        {
            _lastRow--;
        }
    }

    private void RemoveOldest(int row, int count)
    {
        // A row holds at most MaximumBuckets + 1 buckets: a plain loop beats Array.Copy's call overhead.
        int at = row * _rowCapacity;
        int remaining = _rowCounts[row] - count;
        for (int i = 0; i < remaining; i++)
        {
            _totals[at + i] = _totals[at + count + i];
            _variances[at + i] = _variances[at + count + i];
        }

        _rowCounts[row] = remaining;
    }
}
