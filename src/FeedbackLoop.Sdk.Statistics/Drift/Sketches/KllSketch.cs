using System.Globalization;
using FeedbackLoop.Numerics;
using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// The KLL quantile sketch of Karnin, Lang and Liberty (2016), "Optimal Quantile Approximation in Streams", FOCS, in
/// the practical form of Apache DataSketches' <c>KllDoublesSketch</c>: a stream of any length is summarised in
/// <c>O(k log(n / k))</c> values from which ranks, quantiles and distribution distances are read with a bounded
/// error, and sketches of different partitions merge into the sketch of their union.
/// </summary>
/// <remarks>
/// <para>
/// Values are kept in a stack of compactors. Level <c>h</c> holds values of weight <c>2^h</c>; its capacity is
/// <c>max(8, ⌈k (2/3)^d⌉)</c> where <c>d</c> is its depth below the top level, so the top holds <c>k</c> values and
/// capacities shrink geometrically towards level 0 (DataSketches' capacities). When a level reaches its capacity it
/// is sorted and compacted: with a random offset (0 or 1, from a seeded SplitMix64 whose state is part of the
/// snapshot) every other value moves to the level above with twice the weight; an odd value out stays. A
/// compaction doubles the weight of half the values, so each value's rank moves by at most its weight, and the
/// random offsets make those moves cancel out on average (the paper's analysis).
/// </para>
/// <para>
/// Error bound: with <c>k</c> = 200 the normalized rank error of a single rank or quantile query is at most about
/// 1.33% with 99% confidence, and of every query at once (DataSketches' "PMF" error) about 1.65%: DataSketches'
/// empirical formulas <c>2.296 / k^0.9723</c> and <c>2.446 / k^0.9433</c> (<see cref="NormalizedRankError"/>), which
/// this class is tested against on 1,000,000-value streams, merged sketches included. <see cref="Minimum"/>,
/// <see cref="Maximum"/> and <see cref="Count"/> are exact.
/// </para>
/// <para>
/// Not thread-safe. <see cref="Add"/> allocates only when the sketch grows a level (about <c>log2(n / k)</c> times
/// over a stream of <c>n</c> values).
/// </para>
/// </remarks>
public sealed class KllSketch : IMergeable<KllSketch>
{
    /// <summary>The default accuracy parameter, DataSketches' default.</summary>
    public const int DefaultK = 200;

    private const int SnapshotVersion = 1;
    private const int MinimumCapacity = 8;
    private const int MaximumLevels = 61;

    private readonly int _k;
    private readonly List<double[]> _levels = [];
    private readonly List<int> _sizes = [];
    private SplitMix64 _random;
    private long _count;
    private double _minimum = double.NaN;
    private double _maximum = double.NaN;

    /// <summary>Initializes a new instance of the <see cref="KllSketch"/> class.</summary>
    /// <param name="k">The accuracy parameter: the capacity of the top level; from 8 to 65,535. Defaults to 200.</param>
    /// <param name="seed">The seed of the compaction offsets. Defaults to 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside 8 to 65,535.</exception>
    public KllSketch(int k = DefaultK, ulong seed = 0)
    {
        if (k is < MinimumCapacity or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be between 8 and 65,535 (DataSketches' range).");
        }

        _k = k;
        _random = new SplitMix64(seed);
        AddLevel();
    }

    /// <summary>Gets the accuracy parameter.</summary>
    /// <value>200 by default.</value>
    public int K => _k;

    /// <summary>Gets the number of values added (merged sketches included).</summary>
    public long Count => _count;

    /// <summary>Gets a value indicating whether no value has been added.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>Gets the smallest value added.</summary>
    /// <value>NaN while the sketch is empty.</value>
    public double Minimum => _minimum;

    /// <summary>Gets the largest value added.</summary>
    /// <value>NaN while the sketch is empty.</value>
    public double Maximum => _maximum;

    /// <summary>Gets the number of values the sketch retains, its memory in values.</summary>
    public int RetainedCount => _sizes.Sum();

    /// <summary>Gets the normalized rank error bound of this sketch's <see cref="K"/> for a single query (99% confidence).</summary>
    public double SingleQueryRankError => NormalizedRankError(_k, allQueries: false);

    /// <summary>DataSketches' empirical normalized rank error bound at 99% confidence.</summary>
    /// <param name="k">The accuracy parameter.</param>
    /// <param name="allQueries">
    /// <see langword="true"/> for the bound that holds for all ranks at once (needed when a whole distribution
    /// function is read, as by the sketch-based tests): <c>2.446 / k^0.9433</c>; <see langword="false"/> for a single
    /// rank or quantile: <c>2.296 / k^0.9723</c>.
    /// </param>
    /// <returns>The bound, as a fraction of the stream length.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside 8 to 65,535.</exception>
    public static double NormalizedRankError(int k, bool allQueries) =>
        k is < MinimumCapacity or > ushort.MaxValue
            ? throw new ArgumentOutOfRangeException(nameof(k), k, "k must be between 8 and 65,535.")
            : allQueries ? 2.446 / Math.Pow(k, 0.9433) : 2.296 / Math.Pow(k, 0.9723);

    /// <summary>Reads a sketch saved by <see cref="Snapshot"/>.</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <returns>A sketch that continues exactly where the saved one stopped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The snapshot is of another kind or version, or is corrupt: a parameter is out of range, a level holds <c>k</c>
    /// values or more, the weights of the retained values do not add up to the count, the top level of several is
    /// empty, or the minimum, the maximum and the retained values are not finite and ordered
    /// (<c>minimum ≤ value ≤ maximum</c>; both NaN when the count is 0).
    /// </exception>
    /// <remarks>
    /// A level is compacted as soon as it reaches its capacity, and no capacity exceeds <c>k</c>, so every sketch this
    /// class writes holds fewer than <c>k</c> values per level; a level's capacity for the current number of levels is
    /// not a bound, because a merge that adds a level shrinks the capacities of the levels below after they were
    /// compacted. The levels are written one after the other, each with its length, so their boundaries are monotone
    /// by construction.
    /// </remarks>
    public static KllSketch Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(KllSketch), SnapshotVersion);
        int k = reader.ReadInt32();
        ulong state = (ulong)reader.ReadInt64();
        long count = reader.ReadInt64();
        double minimum = reader.ReadDouble();
        double maximum = reader.ReadDouble();
        int levels = reader.ReadInt32();
        if (k is < MinimumCapacity or > ushort.MaxValue || levels is < 1 or > MaximumLevels || count < 0)
        {
            throw reader.Corrupt("k, the count or the number of levels is out of range");
        }

        var items = new double[levels][];
        for (int h = 0; h < levels; h++)
        {
            items[h] = reader.ReadDoubles(k);
        }

        reader.End();
        Int128 weighted = 0;
        for (int h = 0; h < levels; h++)
        {
            if (items[h].Length >= k)
            {
                throw reader.Corrupt(string.Create(CultureInfo.InvariantCulture, $"level {h} holds {items[h].Length} values; a level holds fewer than k = {k}, the largest capacity"));
            }

            weighted += (Int128)items[h].Length << h;
        }

        if (weighted != count)
        {
            throw reader.Corrupt("the retained weights do not add up to the count");
        }

        if (levels > 1 && items[levels - 1].Length == 0)
        {
            throw reader.Corrupt("the top level is empty; a level is added only to receive values");
        }

        if (count == 0 ? !(double.IsNaN(minimum) && double.IsNaN(maximum)) : !(double.IsFinite(minimum) && double.IsFinite(maximum) && minimum <= maximum))
        {
            throw reader.Corrupt("the minimum and maximum are not finite with minimum <= maximum (or both NaN for an empty sketch)");
        }

        foreach (double[] level in items)
        {
            foreach (double value in level)
            {
                if (!(value >= minimum && value <= maximum))
                {
                    throw reader.Corrupt(string.Create(CultureInfo.InvariantCulture, $"a retained value {value:R} is outside [minimum, maximum]"));
                }
            }
        }

        var sketch = new KllSketch(k);
        sketch._random = new SplitMix64(state);
        for (int h = 0; h < levels; h++)
        {
            if (h > 0)
            {
                sketch.AddLevel();
            }

            items[h].CopyTo(sketch._levels[h], 0);
            sketch._sizes[h] = items[h].Length;
        }

        sketch._count = count;
        sketch._minimum = minimum;
        sketch._maximum = maximum;
        return sketch;
    }

    /// <summary>Adds one value.</summary>
    /// <param name="value">The value; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite; the sketch is unchanged.</exception>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The KLL sketch takes finite values: the value must not be NaN or infinite.");
        }

        if (_count == 0)
        {
            _minimum = value;
            _maximum = value;
        }
        else
        {
            _minimum = Math.Min(_minimum, value);
            _maximum = Math.Max(_maximum, value);
        }

        _count++;
        _levels[0][_sizes[0]++] = value;
        if (_sizes[0] >= Capacity(0))
        {
            Compress();
        }
    }

    /// <summary>Gets the normalized rank of a value: the estimated share of added values less than or equal to it.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A share in [0, 1].</returns>
    /// <exception cref="InvalidOperationException">The sketch is empty.</exception>
    public double Rank(double value)
    {
        RequireNotEmpty();
        long weight = 0;
        for (int h = 0; h < _levels.Count; h++)
        {
            double[] items = _levels[h];
            int size = _sizes[h];
            int below = 0;
            for (int i = 0; i < size; i++)
            {
                below += items[i] <= value ? 1 : 0;
            }

            weight += (long)below << h;
        }

        return (double)weight / _count;
    }

    /// <summary>Gets the estimated quantile: the smallest retained value whose normalized rank is at least <paramref name="fraction"/>.</summary>
    /// <param name="fraction">The fraction in [0, 1]; 0 gives <see cref="Minimum"/> and 1 gives <see cref="Maximum"/>.</param>
    /// <returns>The quantile.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is outside [0, 1] or NaN.</exception>
    /// <exception cref="InvalidOperationException">The sketch is empty.</exception>
    public double Quantile(double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be in [0, 1].");
        }

        RequireNotEmpty();
        return SortedView().Quantile(fraction, _minimum, _maximum);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="other"/> has a different <see cref="K"/>.</exception>
    public void Merge(KllSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._k != _k)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Only sketches with the same k merge; this one has k = {_k}, the other k = {other._k}."), nameof(other));
        }

        if (other._count == 0)
        {
            return;
        }

        if (ReferenceEquals(other, this))
        {
            other = Restore(Snapshot());
        }

        while (_levels.Count < other._levels.Count)
        {
            AddLevel();
        }

        _minimum = _count == 0 ? other._minimum : Math.Min(_minimum, other._minimum);
        _maximum = _count == 0 ? other._maximum : Math.Max(_maximum, other._maximum);
        _count += other._count;
        for (int h = 0; h < other._levels.Count; h++)
        {
            for (int i = 0; i < other._sizes[h]; i++)
            {
                Append(h, other._levels[h][i]);
            }
        }

        Compress();
    }

    /// <summary>Saves the sketch, its generator included, in the versioned snapshot format.</summary>
    /// <returns>The snapshot; independent of later changes.</returns>
    public StateSnapshot Snapshot()
    {
        var writer = new SnapshotWriter(nameof(KllSketch), SnapshotVersion)
            .Write(_k).Write((long)_random.State).Write(_count).Write(_minimum).Write(_maximum).Write(_levels.Count);
        for (int h = 0; h < _levels.Count; h++)
        {
            writer.Write(_levels[h].AsSpan(0, _sizes[h]));
        }

        return writer.ToSnapshot();
    }

    /// <summary>The retained values sorted, with their cumulative weights, for distribution queries.</summary>
    internal WeightedSortedView SortedView()
    {
        int total = RetainedCount;
        var values = new double[total];
        var weights = new long[total];
        int at = 0;
        for (int h = 0; h < _levels.Count; h++)
        {
            for (int i = 0; i < _sizes[h]; i++)
            {
                values[at] = _levels[h][i];
                weights[at++] = 1L << h;
            }
        }

        Array.Sort(values, weights);
        for (int i = 1; i < weights.Length; i++)
        {
            weights[i] += weights[i - 1];
        }

        return new WeightedSortedView(values, weights, _count);
    }

    /// <summary>Appends to a level, doubling its buffer in the rare case a merge or a cascade overfills it.</summary>
    private void Append(int h, double value)
    {
        if (_sizes[h] == _levels[h].Length)
        {
            double[] grown = _levels[h];
            Array.Resize(ref grown, grown.Length * 2);
            _levels[h] = grown;
        }

        _levels[h][_sizes[h]++] = value;
    }

    private void RequireNotEmpty()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("The sketch is empty: add values before querying it.");
        }
    }

    /// <summary>DataSketches' level capacity: <c>max(8, ⌈k (2/3)^depth⌉)</c>, depth counted down from the top level.</summary>
    private int Capacity(int level)
    {
        int depth = _levels.Count - 1 - level;
        return Math.Max(MinimumCapacity, (int)Math.Ceiling(_k * Math.Pow(2.0 / 3.0, depth)));
    }

    private void AddLevel()
    {
        if (_levels.Count == MaximumLevels)
        {
            throw new InvalidOperationException("The sketch cannot grow beyond 61 levels (2^61 values of the lowest weight).");
        }

        _levels.Add(new double[_k + 1]);
        _sizes.Add(0);
    }

    /// <summary>Compacts the lowest full level until every level is within its capacity.</summary>
    private void Compress()
    {
        for (int h = 0; h < _levels.Count; h++)
        {
            while (_sizes[h] >= Capacity(h))
            {
                if (h == _levels.Count - 1)
                {
                    AddLevel();
                }

                CompactLevel(h);
            }
        }
    }

    /// <summary>Sorts level <paramref name="h"/> and promotes every other value, from a random offset, to the level above; an odd value out stays.</summary>
    private void CompactLevel(int h)
    {
        double[] items = _levels[h];
        int size = _sizes[h];
        Array.Sort(items, 0, size);
        int pairs = size / 2;
        int offset = (int)(_random.NextUInt64() >> 63);
        int keep = size - (2 * pairs);
        int above = h + 1;
        for (int i = 0; i < pairs; i++)
        {
            Append(above, items[keep + (2 * i) + offset]);
        }

        // The odd value out is the smallest, kept at the bottom of this level.
        _sizes[h] = keep;
    }
}
