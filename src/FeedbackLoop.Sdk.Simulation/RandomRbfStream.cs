using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// The random radial-basis-function stream of MOA (Bifet, Holmes, Kirkby &amp; Pfahringer (2010), "MOA: Massive Online
/// Analysis", JMLR 11; <c>RandomRBFGenerator</c> and <c>RandomRBFGeneratorDrift</c>, also River's <c>RandomRBF</c> and
/// <c>RandomRBFDrift</c>): a multiclass stream of Gaussian hyperspheres around random centroids, whose centroids can
/// move at a constant speed from a drift point on (incremental drift).
/// </summary>
/// <remarks>
/// <para>
/// <b>Definition.</b> Each centroid gets, in order, a centre uniform in [0, 1]^d, a class uniform among the
/// <see cref="Classes"/>, a standard deviation uniform in [0, 1) and a weight uniform in [0, 1). A sample picks a
/// centroid with probability proportional to its weight, draws a direction <c>u</c> with components uniform in [−1, 1)
/// and a length <c>ℓ ~ N(0, σ²)</c> with the centroid's σ, and is <c>centre + ℓ u / ‖u‖</c>, labelled with the
/// centroid's class. The drift moves the first <c>driftingCentroids</c> centroids: each gets a direction with components
/// uniform in [0, 1), normalised to length 1, and from the drift point on, before each sample, its centre moves by
/// <c>speed</c> along it; a coordinate that leaves [0, 1] is set to the bound it crossed and its direction component
/// reversed. An abrupt change is a <see cref="ConceptDriftStream"/> between two seeds (new centroids), as in MOA.
/// </para>
/// <para>
/// <b>Defaults.</b> MOA's and River's: 10 features, 50 centroids, all of them drifting (River's
/// <c>n_drift_centroids</c>), except for the classes: 3 instead of their 2, because the stream exists to exercise
/// multiclass tasks.
/// </para>
/// <para>
/// <b>Determinism.</b> All randomness comes from <c>new Random(seed)</c>: first every centroid (centre, class, σ,
/// weight), then the drifting centroids' directions, then per sample one draw for the centroid, <c>d</c> for the
/// direction and two for the length (Box–Muller). The same arguments give the same stream bit for bit, and the same seed
/// gives the same centroids whatever the speed.
/// </para>
/// <para>Not thread-safe: <see cref="Next"/> advances the stream. Give each consumer its own instance.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A data stream in the stream-mining sense (MOA, River), not a System.IO.Stream; the suffix is the field's own term.")]
public sealed class RandomRbfStream : IDriftingStream
{
    private readonly Random _random;
    private readonly ReadOnlyCollection<long> _driftPoints;
    private readonly double[][] _centres;
    private readonly int[] _classes;
    private readonly double[] _deviations;
    private readonly double[] _cumulativeWeights;
    private readonly double[][] _directions;
    private readonly double[] _buffer;
    private readonly Label[] _labels;
    private long _nextIndex;

    /// <summary>Creates a random RBF stream.</summary>
    /// <param name="seed">The seed of the stream's <see cref="Random"/>.</param>
    /// <param name="classes">The number of classes, named <c>class1</c>..<c>classK</c>; 2 to <see cref="ModelTask.MaxClasses"/>. Default 3.</param>
    /// <param name="features">The number of numeric features <c>x1</c>..<c>xd</c>; at least 1. Default 10.</param>
    /// <param name="centroids">The number of centroids; at least 1. Default 50.</param>
    /// <param name="speed">How far a drifting centroid moves before each sample from <paramref name="driftStart"/> on; at least 0. Default 0, no drift.</param>
    /// <param name="driftStart">The index of the first sample drawn after a move: the drift point. Needed when <paramref name="speed"/> is positive, refused otherwise.</param>
    /// <param name="driftingCentroids">How many centroids (the first ones) move; 0..<paramref name="centroids"/>. Default (<see langword="null"/>): all of them.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or the speed is out of range, or <paramref name="driftStart"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="driftStart"/> is given without a speed, or a speed without it.</exception>
    public RandomRbfStream(int seed, int classes = 3, int features = 10, int centroids = 50, double speed = 0.0, long? driftStart = null, int? driftingCentroids = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, ModelTask.MaxClasses);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(centroids, 1);
        if (!(speed >= 0.0 && double.IsFinite(speed)))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "The speed must be finite and at least 0.");
        }

        var drifting = driftingCentroids ?? centroids;
        ArgumentOutOfRangeException.ThrowIfNegative(drifting, nameof(driftingCentroids));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(drifting, centroids, nameof(driftingCentroids));
        if ((speed > 0.0) != driftStart.HasValue)
        {
            throw new ArgumentException("Give a drift start with a positive speed, and neither for a stream without drift.", nameof(driftStart));
        }

        _driftPoints = StreamArguments.DriftPoints(driftStart is { } start ? [start] : [], nameof(driftStart));
        Speed = speed;
        DriftingCentroids = speed > 0.0 ? drifting : 0;
        _random = new Random(seed);
        _centres = new double[centroids][];
        _classes = new int[centroids];
        _deviations = new double[centroids];
        _cumulativeWeights = new double[centroids];
        var total = 0.0;
        for (var c = 0; c < centroids; c++)
        {
            _centres[c] = new double[features];
            for (var i = 0; i < features; i++)
            {
                _centres[c][i] = _random.NextDouble();
            }

            _classes[c] = _random.Next(classes);
            _deviations[c] = _random.NextDouble();
            total += _random.NextDouble();
            _cumulativeWeights[c] = total;
        }

        _directions = new double[DriftingCentroids][];
        for (var c = 0; c < DriftingCentroids; c++)
        {
            var direction = new double[features];
            var norm = 0.0;
            for (var i = 0; i < features; i++)
            {
                direction[i] = _random.NextDouble();
                norm += direction[i] * direction[i];
            }

            norm = Math.Sqrt(norm);
            for (var i = 0; i < features; i++)
            {
                direction[i] /= norm;
            }

            _directions[c] = direction;
        }

        var names = Enumerable.Range(1, classes).Select(k => "class" + k.ToString(CultureInfo.InvariantCulture)).ToArray();
        Task = ModelTask.Multiclass(names);
        _labels = [.. names.Select(Label.Categorical)];
        _buffer = new double[features];
        var schema = FeatureSchema.CreateBuilder();
        for (var i = 1; i <= features; i++)
        {
            schema.Numeric("x" + i.ToString(CultureInfo.InvariantCulture));
        }

        Schema = schema.Build();
    }

    /// <inheritdoc />
    /// <value>Numeric features <c>x1</c>..<c>xd</c>, in that order.</value>
    public FeatureSchema Schema { get; }

    /// <inheritdoc />
    /// <value>A multiclass task with the classes <c>class1</c>..<c>classK</c>, in that order.</value>
    public ModelTask Task { get; }

    /// <inheritdoc />
    /// <value>The drift start alone for a drifting stream; empty otherwise.</value>
    public IReadOnlyList<long> DriftPoints => _driftPoints;

    /// <summary>Gets the class names, <c>class1</c>..<c>classK</c>.</summary>
    public IReadOnlyList<string> Classes => Task.Classes;

    /// <summary>Gets how far a drifting centroid moves before each sample once the drift has started.</summary>
    /// <value>Default 0.</value>
    public double Speed { get; }

    /// <summary>Gets how many centroids (the first ones) move; 0 without drift.</summary>
    public int DriftingCentroids { get; }

    /// <summary>Gets a copy of the centroids as they are now: centre, class index, standard deviation, and the cumulative weight up to and including each.</summary>
    internal IReadOnlyList<(double[] Centre, int Class, double Deviation, double CumulativeWeight)> Centroids =>
        [.. _centres.Select((centre, c) => ((double[])centre.Clone(), _classes[c], _deviations[c], _cumulativeWeights[c]))];

    /// <inheritdoc />
    public LabelledSample Next()
    {
        var index = _nextIndex++;
        var drifting = _driftPoints.Count > 0 && index >= _driftPoints[0];
        if (drifting)
        {
            Move();
        }

        var pick = _random.NextDouble() * _cumulativeWeights[^1];
        var c = 0;
        while (c < _cumulativeWeights.Length - 1 && _cumulativeWeights[c] <= pick)
        {
            c++;
        }

        var norm = 0.0;
        for (var i = 0; i < _buffer.Length; i++)
        {
            _buffer[i] = (2.0 * _random.NextDouble()) - 1.0;
            norm += _buffer[i] * _buffer[i];
        }

        // A zero direction (probability 0 in theory) stays at the centre.
        var length = StandardNormal.Next(_random) * _deviations[c];
        var scale = norm > 0.0 ? length / Math.Sqrt(norm) : 0.0;
        var centre = _centres[c];
        for (var i = 0; i < _buffer.Length; i++)
        {
            _buffer[i] = centre[i] + (_buffer[i] * scale);
        }

        return new LabelledSample(FeatureVector.Create(Schema, _buffer), _labels[_classes[c]], index, drifting ? 1 : 0);
    }

    private void Move()
    {
        for (var c = 0; c < _directions.Length; c++)
        {
            var (centre, direction) = (_centres[c], _directions[c]);
            for (var i = 0; i < centre.Length; i++)
            {
                centre[i] += Speed * direction[i];
                if (centre[i] is > 1.0 or < 0.0)
                {
                    centre[i] = centre[i] > 1.0 ? 1.0 : 0.0;
                    direction[i] = -direction[i];
                }
            }
        }
    }
}
