using System.Runtime.Intrinsics;
using FeedbackLoop.State;

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
/// <see cref="Direction"/> says which shrinks are reported (an extension, like River's <c>mode</c> of Page-Hinkley): the
/// window is kept exactly as above either way, and a shrink whose remaining, newer part has a higher mean than the
/// window had before is an increase. On an error stream only an increase is a degradation; with
/// <see cref="ChangeDirection.Up"/> an improvement (a better model, easier traffic) shrinks the window silently.
/// </para>
/// <para>
/// Instances are not thread-safe. <see cref="Update"/> does not allocate: the bucket rows are preallocated for any
/// window that fits in a 64-bit count.
/// </para>
/// </remarks>
public sealed class Adwin : IRestorableDriftDetector
{
    private const int SnapshotVersion = 2;
    private const int MaximumRows = 64;

    // Values wait in a buffer of this size until the next scan (or until it fills) and then enter the bucket rows
    // together; see Flush.
    private const int PendingCapacity = 64;

    private readonly double _delta;
    private readonly int _clock;
    private readonly int _maximumBuckets;
    private readonly int _minimumWindowLength;
    private readonly int _gracePeriod;
    private readonly ChangeDirection _direction;
    private readonly int _rowCapacity;
    private readonly double[] _totals;
    private readonly double[] _variances;
    private readonly int[] _rowCounts = new int[MaximumRows];
    private readonly double[] _cutOlderCounts;
    private readonly double[] _cutOlderTotals;
    private readonly double[] _cutNewerTotals;
    private readonly int _carryStart;
    private double[] _carryTotals;
    private double[] _carryVariances;
    private double[] _nextTotals;
    private double[] _nextVariances;

    private int _pending;

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
    /// <param name="direction">Which changes of the mean are reported as a drift. Defaults to <see cref="ChangeDirection.Both"/> (MOA, River).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="delta"/> is not in (0, 1), <paramref name="clock"/> or <paramref name="minimumWindowLength"/> or
    /// <paramref name="gracePeriod"/> is less than 1, <paramref name="maximumBuckets"/> is less than 2, or
    /// <paramref name="direction"/> is not a defined <see cref="ChangeDirection"/>.
    /// </exception>
    public Adwin(
        double delta = 0.002, int clock = 32, int maximumBuckets = 5, int minimumWindowLength = 5, int gracePeriod = 10, ChangeDirection direction = ChangeDirection.Both)
    {
        _direction = DetectorArguments.Direction(direction, nameof(direction));
        _delta = DetectorArguments.OpenUnit(delta, nameof(delta), "Delta");
        _clock = DetectorArguments.AtLeast(clock, 1, nameof(clock), "The clock");
        _maximumBuckets = DetectorArguments.AtLeast(maximumBuckets, 2, nameof(maximumBuckets), "The maximum number of buckets per row");
        _minimumWindowLength = DetectorArguments.AtLeast(minimumWindowLength, 1, nameof(minimumWindowLength), "The minimum window length");
        _gracePeriod = DetectorArguments.AtLeast(gracePeriod, 1, nameof(gracePeriod), "The grace period");
        _rowCapacity = maximumBuckets + 1;
        _totals = new double[MaximumRows * _rowCapacity];
        _variances = new double[MaximumRows * _rowCapacity];
        _cutOlderCounts = new double[(MaximumRows * _rowCapacity) + Vector256<double>.Count];
        _cutOlderTotals = new double[_cutOlderCounts.Length];
        _cutNewerTotals = new double[_cutOlderCounts.Length];
        _carryStart = maximumBuckets;
        _carryTotals = new double[maximumBuckets + PendingCapacity];
        _carryVariances = new double[_carryTotals.Length];
        _nextTotals = new double[_carryTotals.Length];
        _nextVariances = new double[_carryTotals.Length];
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

    /// <summary>Gets which changes of the mean are reported as a drift (the window shrinks on every significant cut).</summary>
    /// <value><see cref="ChangeDirection.Both"/> by default.</value>
    public ChangeDirection Direction => _direction;

    /// <inheritdoc />
    /// <remarks>Never <see cref="DriftState.Warning"/>.</remarks>
    public DriftState State => _state;

    /// <summary>Gets the number of values in the current window.</summary>
    public long Width => Flush() ? _width : 0;

    /// <summary>Gets the sum of the values in the current window.</summary>
    public double Total => Flush() ? _total : 0;

    /// <summary>Gets the mean of the current window, ADWIN's estimate of the stream's current mean.</summary>
    /// <value>0 while the window is empty.</value>
    public double Mean => Flush() && _width > 0 ? _total / _width : 0;

    /// <summary>Gets the population variance of the current window.</summary>
    /// <value>0 while the window is empty.</value>
    public double Variance => Flush() && _width > 0 ? _variance / _width : 0;

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

        bool change = due && Flush() && _width > _gracePeriod && Shrink();
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
        _pending = 0;
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
        Flush();
        return new SnapshotWriter(nameof(Adwin), SnapshotVersion)
            .Write(_delta).Write(_clock).Write(_maximumBuckets).Write(_minimumWindowLength).Write(_gracePeriod)
            .Write(_lastRow).Write(_width).Write(_total).Write(_variance).Write(_time).Write(_detections).Write((int)_state)
            .Write(_rowCounts.AsSpan(0, _lastRow + 1).ToArray().Select(c => (long)c).ToArray())
            .Write(LiveBuckets(_totals)).Write(LiveBuckets(_variances))
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
        bool rowsInRange = rowCounts.All(c => c >= 0 && c <= _maximumBuckets);
        Int128 counted = rowsInRange ? rowCounts.Select((c, row) => (Int128)c << row).Aggregate(Int128.Zero, (sum, c) => sum + c) : -1;
        if (lastRow is < 0 or >= MaximumRows || rowCounts.Length != lastRow + 1 || !rowsInRange || counted != width
            || totals.Length != rowCounts.Sum() || variances.Length != totals.Length
            || time < 0 || detections < 0 || state is not (DriftState.None or DriftState.Drift))
        {
            throw reader.Corrupt("the bucket rows do not add up to the window width, or a counter or the state is out of range");
        }

        Reset();
        _lastRow = lastRow;
        int next = 0;
        for (int row = 0; row <= lastRow; row++)
        {
            int count = _rowCounts[row] = (int)rowCounts[row];
            totals.AsSpan(next, count).CopyTo(_totals.AsSpan(row * _rowCapacity));
            variances.AsSpan(next, count).CopyTo(_variances.AsSpan(row * _rowCapacity));
            next += count;
        }

        _width = width;
        _total = total;
        _variance = variance;
        _time = time;
        _untilScan = _clock - (time % _clock);
        _detections = detections;
        _state = state;
    }

    /// <summary>Gets the buckets in use, row by row from row 0, for a snapshot (the free slots of a row hold stale values).</summary>
    private double[] LiveBuckets(double[] rows)
    {
        var live = new List<double>();
        for (int row = 0; row <= _lastRow; row++)
        {
            live.AddRange(rows.AsSpan(row * _rowCapacity, _rowCounts[row]));
        }

        return [.. live];
    }

    private void Insert(double value)
    {
        // MOA's insertElement adds a bucket of one value and updates the window's statistics; both wait for Flush.
        _carryTotals[_carryStart + _pending] = value;
        if (++_pending == PendingCapacity)
        {
            Flush();
        }
    }

    /// <summary>
    /// Adds the values held back to the window's statistics and the bucket rows, leaving both as MOA's value-by-value
    /// inserts would, to the bit.
    /// </summary>
    /// <returns>Always <see langword="true"/>, so that a scan or a read can be chained after it.</returns>
    /// <remarks>
    /// <para>
    /// MOA merges a row's two oldest buckets into one of the next row whenever the row holds more than M buckets.
    /// Buckets reach a row one at a time and oldest first, so the merged pairs are always consecutive pairs from the
    /// oldest, and once the row has overflowed M - 1 or M buckets stay: a row that holds <c>c</c> buckets and receives
    /// <c>k</c> more merges <c>(c + k - M + 1) / 2</c> pairs when <c>c + k &gt; M</c>. Row by row for a batch, this
    /// gives the same buckets as the cascade after every value, in straight loops instead of a cascade of
    /// unpredictable depth. Nothing reads the rows between scans, so values wait until the next scan, a read of the
    /// statistics or a snapshot.
    /// </para>
    /// <para>
    /// The incoming buckets of a row sit in a carry buffer after <c>M</c> free slots; the row's own buckets are copied
    /// into the slots just before them, so that the row's sequence is contiguous, and the merged pairs go to a second
    /// buffer that carries them to the next row.
    /// </para>
    /// </remarks>
    private bool Flush()
    {
        int incoming = _pending;
        if (incoming == 0)
        {
            return true;
        }

        _pending = 0;
        AddPendingToStatistics(incoming);
        (double[] carryTotals, double[] carryVariances) = (_carryTotals, _carryVariances);
        (double[] nextTotals, double[] nextVariances) = (_nextTotals, _nextVariances);
        double[] totals = _totals;
        double[] variances = _variances;
        int carryStart = _carryStart;
        for (int row = 0; incoming > 0; row++)
        {
            int at = row * _rowCapacity;
            int held = _rowCounts[row];
            int first = carryStart - held;
            for (int i = 0; i < held; i++)
            {
                carryTotals[first + i] = totals[at + i];
                carryVariances[first + i] = variances[at + i];
            }

            // MOA's n² (μ1 - μ2)² / 2n for two buckets of n values, as (t1 - t2)² / 2n; 1 / 2n is a power of two, so
            // multiplying by it is exact.
            int length = held + incoming;
            int merges = length > _maximumBuckets ? (length - _maximumBuckets + 1) / 2 : 0;
            double halfReciprocalSize = Math.ScaleB(1.0, -(row + 1));
            for (int i = 0; i < merges; i++)
            {
                int older = first + (2 * i);
                double difference = carryTotals[older] - carryTotals[older + 1];
                nextTotals[carryStart + i] = carryTotals[older] + carryTotals[older + 1];
                nextVariances[carryStart + i] = carryVariances[older] + carryVariances[older + 1] + (difference * difference * halfReciprocalSize);
            }

            int kept = length - (2 * merges);
            for (int i = 0; i < kept; i++)
            {
                totals[at + i] = carryTotals[first + (2 * merges) + i];
                variances[at + i] = carryVariances[first + (2 * merges) + i];
            }

            _rowCounts[row] = kept;
            if (merges > 0 && row == _lastRow)
            {
                _lastRow++;
            }

            (carryTotals, nextTotals) = (nextTotals, carryTotals);
            (carryVariances, nextVariances) = (nextVariances, carryVariances);
            incoming = merges;
        }

        (_carryTotals, _carryVariances, _nextTotals, _nextVariances) = (carryTotals, carryVariances, nextTotals, nextVariances);
        return true;
    }

    /// <summary>
    /// MOA's insertElement statistics for each value held back: the window's variance updated as
    /// (W - 1)(x - T / (W - 1))² / W, written (x (W - 1) - T)² / ((W - 1) W) with one division, then the total. The
    /// new buckets of one value have no variance.
    /// </summary>
    private void AddPendingToStatistics(int count)
    {
        long width = _width;
        double total = _total;
        double variance = _variance;
        for (int i = 0; i < count; i++)
        {
            double value = _carryTotals[_carryStart + i];
            _carryVariances[_carryStart + i] = 0;
            if (++width > 1)
            {
                double deviation = (value * (width - 1)) - total;
                variance += deviation * deviation / ((double)(width - 1) * width);
            }

            total += value;
        }

        (_width, _total, _variance) = (width, total, variance);
    }

    /// <summary>Drops the oldest buckets while a cut is significant; says whether that is a change <see cref="Direction"/> reports.</summary>
    private bool Shrink()
    {
        // Compared as totals over widths without a division: the newer part's mean against the whole window's.
        (double total, long width) = (_total, _width);
        bool changed = false;
        while (ScanForCut())
        {
            changed = true;
            DeleteOldest();
        }

        double rise = (_total * width) - (total * _width);
        return changed && _direction switch
        {
            ChangeDirection.Up => rise > 0,
            ChangeDirection.Down => rise < 0,
            _ => true,
        };
    }

    /// <summary>Tests every cut between two buckets and says whether one is significant.</summary>
    /// <remarks>
    /// The cut test <c>|μ0 - μ1| &gt; sqrt(2 m σ² δ') + (2 / 3) δ' m</c> with <c>m = (a + b) / (a b)</c>,
    /// <c>a = n0 - L + 1</c> and <c>b = n1 - L + 1</c>, multiplied through by <c>a b n0 n1</c> (all positive), is
    /// <c>e = |u0 n1 - u1 n0| a b - (2 / 3) δ' (a + b) n0 n1 &gt; 0</c> and <c>e² &gt; 2 δ' σ² (a + b) a b (n0 n1)²</c>.
    /// <c>a + b = W - 2L + 2</c> is the same for every cut, so the factors that do not depend on the cut are taken
    /// out of the loop, in the order of the products they stand for. The running sums are taken from the oldest
    /// bucket to the newest as in MOA (MOA never cuts after the newest bucket); then the cuts are tested four at a
    /// time, which is exact because only whether some cut is significant matters, not which. Counts are held as
    /// doubles, exact for any window below 2^53 values.
    /// </remarks>
    private bool ScanForCut()
    {
        double width = _width;
        double offset = _minimumWindowLength - 1;
        double n0 = 0;
        double u0 = 0;
        double u1 = _total;
        int cuts = 0;
        for (int row = _lastRow; row >= 0; row--)
        {
            double size = 1L << row;
            int at = row * _rowCapacity;
            int end = at + _rowCounts[row] - (row == 0 ? 1 : 0);
            for (int k = at; k < end; k++)
            {
                double bucketTotal = _totals[k];
                n0 += size;
                u0 += bucketTotal;
                u1 -= bucketTotal;
                _cutOlderCounts[cuts] = n0;
                _cutOlderTotals[cuts] = u0;
                _cutNewerTotals[cuts] = u1;
                cuts++;
            }
        }

        // Pad to whole vectors with empty older parts, which are never tested.
        for (int i = cuts; i % Vector256<double>.Count != 0; i++)
        {
            _cutOlderCounts[i] = 0;
        }

        double logTerm = Math.Log(2 * Math.Log(width) / _delta);
        double sum = (width - offset) - offset;
        var boundFactor = Vector256.Create(2.0 / 3 * logTerm * sum);
        var varianceFactor = Vector256.Create(2 * logTerm * (_variance / width) * sum);
        var shortest = Vector256.Create(_minimumWindowLength + 1.0);
        var offsets = Vector256.Create(offset);
        var widths = Vector256.Create(width);
        for (int i = 0; i < cuts; i += Vector256<double>.Count)
        {
            var older = Vector256.Create(_cutOlderCounts.AsSpan(i, Vector256<double>.Count));
            var newer = widths - older;
            var product = older * newer;
            var ab = (older - offsets) * (newer - offsets);
            var skew = (Vector256.Create(_cutOlderTotals.AsSpan(i, Vector256<double>.Count)) * newer)
                - (Vector256.Create(_cutNewerTotals.AsSpan(i, Vector256<double>.Count)) * older);
            var excess = (Vector256.Abs(skew) * ab) - (boundFactor * product);
            var significant = Vector256.GreaterThan(older, shortest) & Vector256.GreaterThan(newer, shortest)
                & Vector256.GreaterThan(excess, Vector256<double>.Zero)
                & Vector256.GreaterThan(excess * excess, varianceFactor * ab * product * product);
            if (significant != Vector256<double>.Zero)
            {
                return true;
            }
        }

        return false;
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
        int remaining = --_rowCounts[row];
        _totals.AsSpan(at + 1, remaining).CopyTo(_totals.AsSpan(at));
        _variances.AsSpan(at + 1, remaining).CopyTo(_variances.AsSpan(at));
        if (remaining == 0 && _lastRow > 0)
        {
            _lastRow--;
        }
    }
}
