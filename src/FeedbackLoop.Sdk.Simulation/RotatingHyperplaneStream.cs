using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// The hyperplane stream of Hulten, Spencer &amp; Domingos (2001), "Mining time-changing data streams", KDD '01:
/// <c>d</c> numeric features <c>x1</c>..<c>xd</c> uniform in [0, 1], weights <c>w</c> drawn uniform in [0, 1], and a
/// sample is positive when <c>Σ wᵢxᵢ &gt;= ½ Σ wᵢ</c>. At each drift point the hyperplane changes abruptly by the rule
/// in the remarks, which changes a large, quantified share of the labels.
/// </summary>
/// <remarks>
/// <para>
/// <b>Drift rule.</b> Hulten et al. move the weights a little at every sample (gradual drift); this stream instead
/// changes the concept at once, at each drift point, so that detection delay can be measured from a known index.
/// With <c>k</c> = <see cref="ChangedDimensions"/>: order the dimensions by <c>|wᵢ|</c>, largest first (ties by
/// dimension), cut that order into <c>k</c> consecutive blocks (block <c>j</c> holds the ranks
/// <c>⌊j·d/k⌋ .. ⌊(j+1)·d/k⌋ - 1</c>), pick one dimension uniformly at random from each block, and negate its weight
/// (<c>wᵢ → -wᵢ</c>); the threshold stays <c>½ Σ wᵢ</c> of the new weights. The weight magnitudes never change, so the
/// blocks are the same at every drift while the picks are fresh.
/// </para>
/// <para>
/// <b>Why many labels change.</b> With <c>zᵢ = xᵢ - ½</c> the rule reads <c>w·z &gt;= 0</c>: the hyperplane passes
/// through the centre of the cube, so, as <c>x → 1 - x</c> maps the cube onto itself, every concept labels half the
/// inputs positive. Let <c>S</c> be the negated dimensions, <c>b = Σ_{i∈S} wᵢzᵢ</c> and <c>a = Σ_{i∉S} wᵢzᵢ</c>: the
/// label before the drift is <c>a + b &gt;= 0</c> and after it <c>a - b &gt;= 0</c>, so it changes exactly when
/// <c>|b| &gt; |a|</c>. For the default <c>k = d/2</c> with <c>d</c> even, the blocks are pairs and a fair choice in
/// each pair makes <c>S</c> and its complement equally likely, so, averaged over the drift's random choice, exactly half
/// of the labels change, whatever the weights. For one drift, taking one dimension per block keeps the two halves
/// comparable: <c>Σ_{i∈S} wᵢ²</c> and <c>Σ_{i∉S} wᵢ²</c> differ by at most <c>max wᵢ² &lt;= 1</c>. Approximating
/// <c>a</c> and <c>b</c> as independent normals gives a changed fraction of
/// <c>(2/π)·atan(√(Σ_{i∈S} wᵢ² / Σ_{i∉S} wᵢ²))</c>; with <c>d = 10</c> a single drift changed between 30% and 70% of
/// the labels over 300 simulated weight draws. Fewer changed dimensions give milder drift (one of ten: about 20% on
/// average); all of them complement every label.
/// </para>
/// <para>
/// <b>Incremental drift.</b> With a <c>transition</c> of more than one sample, each change is spread over that many
/// samples instead: from the drift point on, the weights move linearly from the old concept's to the new one's
/// (<c>w(t) = (1 - α) w_old + α w_new</c>, <c>α</c> rising from <c>1/transition</c> to 1), and the threshold stays
/// <c>½ Σ w(t)</c>, so every intermediate hyperplane still passes through the centre of the cube — the incremental drift
/// of Gama et al. (2014), "A survey on concept drift adaptation", ACM Computing Surveys 46(4), in the spirit of Hulten
/// et al.'s moving weights.
/// </para>
/// <para>
/// <b>Determinism.</b> All randomness comes from <c>new Random(seed)</c>: first the <c>d</c> initial weights, then
/// the picks of every drift point (made at construction), then per sample <c>x1</c>..<c>xd</c> and one draw for the
/// noise. The same arguments give the same stream bit for bit, and streams that differ only in <c>noise</c> have
/// identical features and concepts.
/// </para>
/// <para>Not thread-safe: <see cref="Next"/> advances the stream. Give each consumer its own instance.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A data stream in the stream-mining sense (MOA, River), not a System.IO.Stream; the suffix is the field's own term.")]
public sealed class RotatingHyperplaneStream : IDriftingStream
{
    private readonly Random _random;
    private readonly ReadOnlyCollection<long> _driftPoints;
    private readonly ReadOnlyCollection<double>[] _weights;
    private readonly double[] _thresholds;
    private readonly double[] _buffer;
    private readonly double[] _moving;
    private long _nextIndex;
    private int _concept;

    /// <summary>Creates a rotating-hyperplane stream.</summary>
    /// <param name="seed">The seed of the stream's <see cref="Random"/>.</param>
    /// <param name="dimensions">The number of features <c>d</c>; at least 2.</param>
    /// <param name="driftPoints">The indexes at which the next concept becomes active: positive and strictly increasing; empty for no drift.</param>
    /// <param name="changedDimensions">
    /// How many weights change sign at each drift point, 1..<paramref name="dimensions"/>. Default (<see langword="null"/>):
    /// <c>dimensions / 2</c>, rounded down, which changes about half of the labels (see remarks).
    /// </param>
    /// <param name="noise">
    /// The probability, in [0, 0.5), that a label is flipped. Default 0.05, the 5% noise default of MOA's
    /// <c>HyperplaneGenerator</c>.
    /// </param>
    /// <param name="transition">The samples over which each change is spread, from its drift point on; 1 (the default) for abrupt changes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="driftPoints"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="transition"/> is below 1, <paramref name="dimensions"/> is below 2, <paramref name="changedDimensions"/> is outside 1..<paramref name="dimensions"/>,
    /// <paramref name="noise"/> is outside [0, 0.5) or NaN, or a drift point is not positive.
    /// </exception>
    /// <exception cref="ArgumentException">Drift points are not strictly increasing.</exception>
    public RotatingHyperplaneStream(int seed, int dimensions, IReadOnlyList<long> driftPoints, int? changedDimensions = null, double noise = 0.05, int transition = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(transition, 1);
        if (dimensions < 2)
        {
            throw new ArgumentOutOfRangeException(
                nameof(dimensions), dimensions, $"A hyperplane stream needs at least 2 dimensions; got {dimensions}.");
        }

        var changed = changedDimensions ?? dimensions / 2;
        if (changed < 1 || changed > dimensions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(changedDimensions),
                changed,
                $"The number of changed dimensions must be in 1..{dimensions} (the number of dimensions); got {changed.ToString(CultureInfo.InvariantCulture)}.");
        }

        Noise = StreamArguments.Noise(noise, nameof(noise));
        _driftPoints = StreamArguments.DriftPoints(driftPoints, nameof(driftPoints));
        Dimensions = dimensions;
        ChangedDimensions = changed;

        _random = new Random(seed);
        var current = new double[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            current[i] = _random.NextDouble();
        }

        // Signs only ever change, so the order by magnitude (and with it the blocks) is fixed for the whole stream.
        var byMagnitude = Enumerable.Range(0, dimensions).OrderByDescending(i => Math.Abs(current[i])).ThenBy(i => i).ToArray();
        _weights = new ReadOnlyCollection<double>[_driftPoints.Count + 1];
        _thresholds = new double[_weights.Length];
        for (var concept = 0; concept < _weights.Length; concept++)
        {
            if (concept > 0)
            {
                current = (double[])current.Clone();
                for (var block = 0; block < changed; block++)
                {
                    var start = (int)((long)block * dimensions / changed);
                    var end = (int)((long)(block + 1) * dimensions / changed);
                    current[byMagnitude[start + _random.Next(end - start)]] *= -1.0;
                }
            }

            _weights[concept] = Array.AsReadOnly(current);
            _thresholds[concept] = 0.5 * Sum(current);
        }

        _buffer = new double[dimensions];
        _moving = new double[dimensions];
        Transition = transition;
        var schema = FeatureSchema.CreateBuilder();
        for (var i = 1; i <= dimensions; i++)
        {
            schema.Numeric("x" + i.ToString(CultureInfo.InvariantCulture));
        }

        Schema = schema.Build();
    }

    /// <inheritdoc />
    /// <value>Numeric features <c>x1</c>..<c>xd</c>, in that order.</value>
    public FeatureSchema Schema { get; }

    /// <inheritdoc />
    /// <value><see cref="ModelTask.Binary"/>.</value>
    public ModelTask Task => ModelTask.Binary;

    /// <inheritdoc />
    public IReadOnlyList<long> DriftPoints => _driftPoints;

    /// <summary>Gets the number of features <c>d</c>.</summary>
    public int Dimensions { get; }

    /// <summary>Gets how many weights change sign at each drift point.</summary>
    /// <value>Default <c>Dimensions / 2</c>.</value>
    public int ChangedDimensions { get; }

    /// <summary>Gets the probability that a label is flipped.</summary>
    /// <value>Default 0.05.</value>
    public double Noise { get; }

    /// <summary>Gets the number of samples over which each change of the hyperplane is spread (1: abrupt).</summary>
    /// <value>Default 1.</value>
    public int Transition { get; }

    /// <summary>
    /// Gets the weights of the concept that labelled the most recent sample (of the first concept before the first
    /// <see cref="Next"/>), indexed like the features. Magnitudes are in [0, 1]; weights negated by a drift are negative.
    /// </summary>
    /// <value>A read-only view of that concept's weights (during a transition, of the concept being moved to); it does not change when the stream moves to the next concept.</value>
    public IReadOnlyList<double> Weights => _weights[_concept];

    /// <summary>Gets the threshold <c>½ Σ wᵢ</c> of the concept that labelled the most recent sample (of the first concept before the first <see cref="Next"/>).</summary>
    public double Threshold => _thresholds[_concept];

    /// <inheritdoc />
    public LabelledSample Next()
    {
        var index = _nextIndex++;
        if (_concept < _driftPoints.Count && index == _driftPoints[_concept])
        {
            _concept++;
        }

        var (weights, threshold) = Concept(index);
        var dot = 0.0;
        for (var i = 0; i < _buffer.Length; i++)
        {
            _buffer[i] = _random.NextDouble();
            dot += weights[i] * _buffer[i];
        }

        var label = dot >= threshold;
        if (_random.NextDouble() < Noise)
        {
            label = !label;
        }

        return new LabelledSample(FeatureVector.Create(Schema, _buffer), label, index, _concept);
    }

    /// <summary>The hyperplane that labels the sample at <paramref name="index"/>: the concept's own, or one on the way to it during a transition.</summary>
    private (IReadOnlyList<double> Weights, double Threshold) Concept(long index)
    {
        var since = _concept == 0 ? long.MaxValue : index - _driftPoints[_concept - 1];
        if (since >= Transition - 1)
        {
            return (_weights[_concept], _thresholds[_concept]);
        }

        var alpha = (since + 1) / (double)Transition;
        var (from, to) = (_weights[_concept - 1], _weights[_concept]);
        for (var i = 0; i < _moving.Length; i++)
        {
            _moving[i] = ((1 - alpha) * from[i]) + (alpha * to[i]);
        }

        return (_moving, 0.5 * Sum(_moving));
    }

    private static double Sum(double[] values)
    {
        var sum = 0.0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }
}
