using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// The Friedman #1 regression stream of Friedman (1991), "Multivariate adaptive regression splines", Annals of
/// Statistics 19(1), with the drifts of Ikonomovska, Gama &amp; Džeroski (2011) (<see cref="FriedmanDrift"/>): ten
/// numeric features <c>x1</c>..<c>x10</c> uniform in [0, 1] and the target
/// <c>y = 10 sin(π x1 x2) + 20 (x3 − ½)² + 10 x4 + 5 x5 + ε</c>, <c>ε ~ N(0, σ²)</c> with σ = 1, so that
/// <c>x6</c>..<c>x10</c> are irrelevant until a drift makes one of them relevant.
/// </summary>
/// <remarks>
/// <para>
/// <b>Drifts</b>, as River's <c>FriedmanDrift</c> (<c>river.datasets.synth</c>) publishes the formulas of Ikonomovska et
/// al. (2011). Global recurring abrupt and global slow gradual: see <see cref="FriedmanDrift"/>. Local expanding abrupt:
/// with <c>R1 = {x2 &lt; 0.3, x3 &lt; 0.3, x4 &gt; 0.7, x5 &lt; 0.3}</c> and <c>R2 = {x2 &gt; 0.7, x3 &gt; 0.7, x4 &lt; 0.3, x5 &gt; 0.7}</c>
/// from the first drift point, the conditions on <c>x5</c> dropped from the second and those on <c>x4</c> too from the
/// third (so the regions grow from 0.81% to 2.7% to 9% of the input space each), the target is
/// <c>10 x1 x2 + 20 (x3 − ½) + 10 x4 + 5 x5</c> in R1, <c>10 cos(x1 x2) + 20 (x3 − ½) + e^x4 + 5 x5²</c> in R2 and
/// Friedman #1 elsewhere. River's defaults place the drift points at 50,000, 100,000 and 150,000 with a transition
/// window of 10,000; this stream takes them as arguments.
/// </para>
/// <para>
/// <b>Concepts.</b> <see cref="LabelledSample.Concept"/> is the position, in the drift's sequence of concepts, of the
/// concept that generated the target: 0, 1, 2 (the recurrence of 0 for the recurring drift, the second new concept for
/// the gradual one) and 3 for the local drift's third stage. In a gradual transition window it is the concept drawn.
/// </para>
/// <para>
/// <b>Determinism.</b> All randomness comes from <c>new Random(seed)</c>, drawn in a fixed order per sample:
/// <c>x1</c>..<c>x10</c>, one draw for the choice between concepts in a transition window (made for every sample, used
/// only in a window), then two draws for the noise (Box–Muller). The same arguments give the same stream bit for bit,
/// and streams that differ only in their drift, drift points or noise level have identical features.
/// </para>
/// <para>Not thread-safe: <see cref="Next"/> advances the stream. Give each consumer its own instance.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A data stream in the stream-mining sense (MOA, River), not a System.IO.Stream; the suffix is the field's own term.")]
public sealed class FriedmanStream : IDriftingStream
{
    private const int FeatureCount = 10;

    private readonly Random _random;
    private readonly ReadOnlyCollection<long> _driftPoints;
    private readonly double[] _buffer = new double[FeatureCount];
    private long _nextIndex;
    private int _stage;

    /// <summary>Creates a Friedman #1 stream.</summary>
    /// <param name="seed">The seed of the stream's <see cref="Random"/>.</param>
    /// <param name="drift">The drift; <see cref="FriedmanDrift.None"/> (the default) for none.</param>
    /// <param name="driftPoints">
    /// The indexes at which the concept changes, positive and strictly increasing: none for <see cref="FriedmanDrift.None"/>,
    /// two for the global drifts, three for the local one. Default (<see langword="null"/>): none.
    /// </param>
    /// <param name="transition">
    /// For <see cref="FriedmanDrift.GlobalSlowGradual"/>, the samples after each drift point that follow the old or the
    /// new concept with equal probability; 0 for abrupt changes, at most the gap between the drift points. Default
    /// 10,000, River's <c>transition_window</c>. Ignored for the other drifts.
    /// </param>
    /// <param name="noise">The standard deviation σ of the Gaussian noise ε; at least 0. Default 1, Friedman's.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="drift"/> is not a defined value, <paramref name="noise"/> is negative or not finite,
    /// <paramref name="transition"/> is negative or longer than a gap between drift points, or a drift point is not positive.
    /// </exception>
    /// <exception cref="ArgumentException">Drift points are not strictly increasing, or their number does not fit the drift.</exception>
    public FriedmanStream(int seed, FriedmanDrift drift = FriedmanDrift.None, IReadOnlyList<long>? driftPoints = null, int transition = 10_000, double noise = 1.0)
    {
        if (!Enum.IsDefined(drift))
        {
            throw new ArgumentOutOfRangeException(nameof(drift), drift, "Not a Friedman drift.");
        }

        if (!(noise >= 0.0 && double.IsFinite(noise)))
        {
            throw new ArgumentOutOfRangeException(nameof(noise), noise, "The noise is a standard deviation: finite and at least 0.");
        }

        _driftPoints = StreamArguments.DriftPoints(driftPoints ?? [], nameof(driftPoints));
        var expected = drift switch
        {
            FriedmanDrift.None => 0,
            FriedmanDrift.LocalExpandingAbrupt => 3,
            _ => 2,
        };
        if (_driftPoints.Count != expected)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The {drift} drift takes {expected} drift points; got {_driftPoints.Count}."), nameof(driftPoints));
        }

        if (drift == FriedmanDrift.GlobalSlowGradual)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(transition);
            if (transition > _driftPoints[1] - _driftPoints[0])
            {
                throw new ArgumentOutOfRangeException(
                    nameof(transition), transition, $"The transition must fit between the drift points ({_driftPoints[1] - _driftPoints[0]} samples apart).");
            }
        }

        Drift = drift;
        Transition = drift == FriedmanDrift.GlobalSlowGradual ? transition : 0;
        Noise = noise;
        _random = new Random(seed);
        var schema = FeatureSchema.CreateBuilder();
        for (var i = 1; i <= FeatureCount; i++)
        {
            schema.Numeric("x" + i.ToString(CultureInfo.InvariantCulture));
        }

        Schema = schema.Build();
    }

    /// <inheritdoc />
    /// <value>Numeric features <c>x1</c>..<c>x10</c>, in that order.</value>
    public FeatureSchema Schema { get; }

    /// <inheritdoc />
    /// <value><see cref="ModelTask.Regression"/>.</value>
    public ModelTask Task => ModelTask.Regression;

    /// <inheritdoc />
    public IReadOnlyList<long> DriftPoints => _driftPoints;

    /// <summary>Gets the drift.</summary>
    /// <value>Default <see cref="FriedmanDrift.None"/>.</value>
    public FriedmanDrift Drift { get; }

    /// <summary>Gets the length of the gradual drift's transition windows; 0 for the other drifts.</summary>
    /// <value>Default 10,000 for <see cref="FriedmanDrift.GlobalSlowGradual"/>.</value>
    public int Transition { get; }

    /// <summary>Gets the standard deviation of the noise.</summary>
    /// <value>Default 1.</value>
    public double Noise { get; }

    /// <summary>
    /// Gets the noise-free target of concept <paramref name="concept"/> of a drift at <paramref name="x"/> (the ten
    /// features, <c>x[0]</c> being <c>x1</c>): the formulas of the class remarks, concept 0 being Friedman #1.
    /// </summary>
    /// <param name="drift">The drift.</param>
    /// <param name="concept">The position of the concept in the drift's sequence: 0..2 (global drifts) or 0..3 (local drift); 0 for no drift.</param>
    /// <param name="x">The ten features.</param>
    /// <returns>The target without noise.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> does not have ten values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concept"/> is not a concept of <paramref name="drift"/>.</exception>
    public static double Target(FriedmanDrift drift, int concept, ReadOnlySpan<double> x)
    {
        if (x.Length != FeatureCount)
        {
            throw new ArgumentException($"Friedman #1 has {FeatureCount} features; got {x.Length}.", nameof(x));
        }

        var last = drift switch
        {
            FriedmanDrift.None => 0,
            FriedmanDrift.LocalExpandingAbrupt => 3,
            _ => 2,
        };
        if (concept < 0 || concept > last)
        {
            throw new ArgumentOutOfRangeException(nameof(concept), concept, $"The {drift} drift has concepts 0..{last}.");
        }

        // Indexes are 0-based: x[0] is x1. Formulas of Ikonomovska et al. (2011) as River's FriedmanDrift publishes them.
        return (drift, concept) switch
        {
            (FriedmanDrift.GlobalRecurringAbrupt, 1) => Shape(x[3], x[5], x[1], x[0], x[2]),
            (FriedmanDrift.GlobalSlowGradual, 1) => Shape(x[3], x[4], x[1], x[0], x[2]),
            (FriedmanDrift.GlobalSlowGradual, 2) => Shape(x[1], x[4], x[3], x[2], x[0]),
            (FriedmanDrift.LocalExpandingAbrupt, > 0) when InRegion1(x, concept) => (10 * x[0] * x[1]) + (20 * (x[2] - 0.5)) + (10 * x[3]) + (5 * x[4]),
            (FriedmanDrift.LocalExpandingAbrupt, > 0) when InRegion2(x, concept) => (10 * Math.Cos(x[0] * x[1])) + (20 * (x[2] - 0.5)) + Math.Exp(x[3]) + (5 * x[4] * x[4]),
            _ => Shape(x[0], x[1], x[2], x[3], x[4]),
        };
    }

    /// <inheritdoc />
    public LabelledSample Next()
    {
        var index = _nextIndex++;
        if (_stage < _driftPoints.Count && index == _driftPoints[_stage])
        {
            _stage++;
        }

        for (var i = 0; i < FeatureCount; i++)
        {
            _buffer[i] = _random.NextDouble();
        }

        var coin = _random.NextDouble();
        var concept = _stage;
        if (Drift == FriedmanDrift.GlobalSlowGradual && _stage > 0 && index < _driftPoints[_stage - 1] + Transition && coin < 0.5)
        {
            concept = _stage - 1;
        }

        var y = Target(Drift, concept, _buffer) + (Noise * StandardNormal.Next(_random));
        return new LabelledSample(FeatureVector.Create(Schema, _buffer), Label.Numeric(y), index, concept);
    }

    /// <summary><c>10 sin(π a b) + 20 (c − ½)² + 10 d + 5 e</c>, the shape every global concept shares.</summary>
    private static double Shape(double a, double b, double c, double d, double e) =>
        (10 * Math.Sin(Math.PI * a * b)) + (20 * (c - 0.5) * (c - 0.5)) + (10 * d) + (5 * e);

    private static bool InRegion1(ReadOnlySpan<double> x, int stage) =>
        x[1] < 0.3 && x[2] < 0.3 && (stage >= 3 || x[3] > 0.7) && (stage >= 2 || x[4] < 0.3);

    private static bool InRegion2(ReadOnlySpan<double> x, int stage) =>
        x[1] > 0.7 && x[2] > 0.7 && (stage >= 3 || x[3] < 0.3) && (stage >= 2 || x[4] > 0.7);
}
