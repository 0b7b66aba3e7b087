using System.Diagnostics.CodeAnalysis;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// The SEA concepts stream of Street &amp; Kim (2001), "A streaming ensemble algorithm (SEA) for large-scale
/// classification", KDD '01, section 4.1: three numeric features <c>x1</c>, <c>x2</c>, <c>x3</c> uniform in [0, 10],
/// of which only the first two are relevant; a sample is positive when <c>x1 + x2 &lt;= θ</c>, with θ switching
/// abruptly between the published values 8, 9, 7 and 9.5 (<see cref="Thresholds"/>).
/// </summary>
/// <remarks>
/// <para>
/// All randomness comes from <c>new Random(seed)</c>, drawn in a fixed order per sample (<c>x1</c>, <c>x2</c>,
/// <c>x3</c>, then one draw for the noise), so the same arguments give the same stream bit for bit, and two streams
/// that differ only in <c>noise</c> or in their concepts and drift points have identical features.
/// </para>
/// <para>Not thread-safe: <see cref="Next"/> advances the stream. Give each consumer its own instance.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A data stream in the stream-mining sense (MOA, River), not a System.IO.Stream; the suffix is the field's own term.")]
public sealed class SeaStream : IDriftingStream
{
    private const double FeatureMaximum = 10.0;

    private readonly Random _random;
    private readonly ConceptSequence _concepts;
    private readonly double[] _buffer = new double[3];
    private long _nextIndex;

    /// <summary>Creates a SEA stream.</summary>
    /// <param name="seed">The seed of the stream's <see cref="Random"/>.</param>
    /// <param name="concepts">
    /// The sequence of concepts, each an index 0..3 into <see cref="Thresholds"/>; entry <c>k</c> labels the samples from
    /// drift point <c>k - 1</c> (or index 0) up to drift point <c>k</c>. Needs one more entry than
    /// <paramref name="driftPoints"/>, and consecutive entries must differ so that every drift point changes the concept.
    /// Street &amp; Kim's sequence is <c>[0, 1, 2, 3]</c>.
    /// </param>
    /// <param name="driftPoints">The indexes at which the next concept becomes active: positive and strictly increasing; empty for no drift.</param>
    /// <param name="noise">
    /// The probability, in [0, 0.5), that a label is flipped. Default 0.1, the 10% class noise of Street &amp; Kim (2001).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="concepts"/> or <paramref name="driftPoints"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="noise"/> is outside [0, 0.5) or NaN, a drift point is not positive, or a concept index is not 0..3.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// Drift points are not strictly increasing, <paramref name="concepts"/> does not have exactly one more entry than
    /// <paramref name="driftPoints"/>, or two consecutive concepts are the same.
    /// </exception>
    public SeaStream(int seed, IReadOnlyList<int> concepts, IReadOnlyList<long> driftPoints, double noise = 0.1)
    {
        Noise = StreamArguments.Noise(noise, nameof(noise));
        _concepts = new ConceptSequence(concepts, driftPoints, Thresholds.Count, "SEA");
        _random = new Random(seed);
        Schema = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x2").Numeric("x3").Build();
    }

    /// <summary>Gets the four thresholds θ published by Street &amp; Kim (2001): 8, 9, 7 and 9.5, indexed by concept number.</summary>
    public static IReadOnlyList<double> Thresholds { get; } = Array.AsReadOnly<double>([8.0, 9.0, 7.0, 9.5]);

    /// <inheritdoc />
    /// <value>Numeric features <c>x1</c>, <c>x2</c>, <c>x3</c>, in that order.</value>
    public FeatureSchema Schema { get; }

    /// <inheritdoc />
    /// <value><see cref="ModelTask.Binary"/>.</value>
    public ModelTask Task => ModelTask.Binary;

    /// <inheritdoc />
    public IReadOnlyList<long> DriftPoints => _concepts.DriftPoints;

    /// <summary>Gets the sequence of concepts (indexes into <see cref="Thresholds"/>), one per span between drift points.</summary>
    /// <value>A copy of the constructor's <c>concepts</c>; <see cref="LabelledSample.Concept"/> indexes this list.</value>
    public IReadOnlyList<int> Concepts => _concepts.Concepts;

    /// <summary>Gets the probability that a label is flipped.</summary>
    /// <value>Default 0.1.</value>
    public double Noise { get; }

    /// <summary>Gets the threshold θ of the concept that labelled the most recent sample (of the first concept before the first <see cref="Next"/>).</summary>
    public double Threshold => Thresholds[_concepts.Current];

    /// <inheritdoc />
    public LabelledSample Next()
    {
        var index = _nextIndex++;
        _concepts.MoveTo(index);

        for (var i = 0; i < _buffer.Length; i++)
        {
            _buffer[i] = FeatureMaximum * _random.NextDouble();
        }

        var label = _buffer[0] + _buffer[1] <= Threshold;
        if (_random.NextDouble() < Noise)
        {
            label = !label;
        }

        return new LabelledSample(FeatureVector.Create(Schema, _buffer), label, index, _concepts.Position);
    }
}
