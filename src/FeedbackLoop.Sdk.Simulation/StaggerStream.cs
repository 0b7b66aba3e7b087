using System.Diagnostics.CodeAnalysis;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// The STAGGER concepts of Schlimmer &amp; Granger (1986), "Incremental learning from noisy data", Machine Learning 1(3),
/// as the drift literature uses them (Widmer &amp; Kubat 1996; MOA's <c>STAGGERGenerator</c>): three categorical
/// features, <c>size</c> (small, medium, large), <c>color</c> (red, green, blue) and <c>shape</c> (square, circular,
/// triangular), each uniform, and three concepts that switch abruptly:
/// 0, <c>size = small ∧ color = red</c>; 1, <c>color = green ∨ shape = circular</c>; 2, <c>size = medium ∨ size = large</c>.
/// </summary>
/// <remarks>
/// <para>
/// All randomness comes from <c>new Random(seed)</c>, drawn in a fixed order per sample (size, color, shape, then one
/// draw for the noise), so the same arguments give the same stream bit for bit. The concepts are very different in
/// their positive rates (1/9, 5/9 and 2/3), so a change is visible in the label rate alone as well as in the errors.
/// </para>
/// <para>Not thread-safe: <see cref="Next"/> advances the stream. Give each consumer its own instance.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A data stream in the stream-mining sense (MOA, River), not a System.IO.Stream; the suffix is the field's own term.")]
public sealed class StaggerStream : IDriftingStream
{
    private static readonly string[] Sizes = ["small", "medium", "large"];
    private static readonly string[] Colors = ["red", "green", "blue"];
    private static readonly string[] Shapes = ["square", "circular", "triangular"];

    private readonly Random _random;
    private readonly ConceptSequence _concepts;
    private readonly string?[] _buffer = new string?[3];
    private long _nextIndex;

    /// <summary>Creates a STAGGER stream.</summary>
    /// <param name="seed">The seed of the stream's <see cref="Random"/>.</param>
    /// <param name="concepts">
    /// The sequence of concepts, each 0, 1 or 2; entry <c>k</c> labels the samples from drift point <c>k - 1</c> (or
    /// index 0) up to drift point <c>k</c>. One more entry than <paramref name="driftPoints"/>, consecutive entries
    /// different; a concept may recur (<c>[0, 1, 0]</c>).
    /// </param>
    /// <param name="driftPoints">The indexes at which the next concept becomes active: positive and strictly increasing; empty for no drift.</param>
    /// <param name="noise">The probability, in [0, 0.5), that a label is flipped. Default 0 (the concepts are noise-free in the original).</param>
    /// <exception cref="ArgumentNullException"><paramref name="concepts"/> or <paramref name="driftPoints"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="noise"/> is outside [0, 0.5), a drift point is not positive, or a concept is not 0..2.</exception>
    /// <exception cref="ArgumentException">Drift points are not strictly increasing, the counts do not match, or two consecutive concepts are the same.</exception>
    public StaggerStream(int seed, IReadOnlyList<int> concepts, IReadOnlyList<long> driftPoints, double noise = 0.0)
    {
        Noise = StreamArguments.Noise(noise, nameof(noise));
        _concepts = new ConceptSequence(concepts, driftPoints, ConceptCount, "STAGGER");
        _random = new Random(seed);
        Schema = FeatureSchema.CreateBuilder().Categorical("size").Categorical("color").Categorical("shape").Build();
    }

    /// <summary>The number of STAGGER concepts.</summary>
    public const int ConceptCount = 3;

    /// <inheritdoc />
    /// <value>Categorical features <c>size</c>, <c>color</c>, <c>shape</c>, in that order.</value>
    public FeatureSchema Schema { get; }

    /// <inheritdoc />
    /// <value><see cref="ModelTask.Binary"/>.</value>
    public ModelTask Task => ModelTask.Binary;

    /// <inheritdoc />
    public IReadOnlyList<long> DriftPoints => _concepts.DriftPoints;

    /// <summary>Gets the sequence of concepts (0, 1 or 2), one per span between drift points.</summary>
    public IReadOnlyList<int> Concepts => _concepts.Concepts;

    /// <summary>Gets the probability that a label is flipped.</summary>
    public double Noise { get; }

    /// <summary>Labels an object by one of the three STAGGER concepts.</summary>
    /// <param name="concept">0, 1 or 2.</param>
    /// <param name="size">small, medium or large.</param>
    /// <param name="color">red, green or blue.</param>
    /// <param name="shape">square, circular or triangular.</param>
    /// <returns>Whether the object is a positive example of the concept.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concept"/> is not 0..2.</exception>
    public static bool Label(int concept, string size, string color, string shape) => concept switch
    {
        0 => size == "small" && color == "red",
        1 => color == "green" || shape == "circular",
        2 => size is "medium" or "large",
        _ => throw new ArgumentOutOfRangeException(nameof(concept), concept, "STAGGER concepts are 0..2."),
    };

    /// <inheritdoc />
    public LabelledSample Next()
    {
        var index = _nextIndex++;
        _concepts.MoveTo(index);

        var size = Sizes[_random.Next(Sizes.Length)];
        var color = Colors[_random.Next(Colors.Length)];
        var shape = Shapes[_random.Next(Shapes.Length)];
        var label = Label(_concepts.Current, size, color, shape) ^ (_random.NextDouble() < Noise);
        (_buffer[0], _buffer[1], _buffer[2]) = (size, color, shape);
        return new LabelledSample(FeatureVector.Create(Schema, [], _buffer), label, index, _concepts.Position);
    }
}
