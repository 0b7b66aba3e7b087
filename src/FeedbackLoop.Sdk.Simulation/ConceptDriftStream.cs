using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// A gradual concept drift between two streams: each sample comes from the new stream with a probability that rises
/// along a sigmoid centred on a drift position, as defined by Bifet, Holmes, Pfahringer, Kirkby and Gavaldà (2009),
/// "New ensemble methods for evolving data streams", KDD '09, section 3 (MOA's <c>ConceptDriftStream</c>).
/// </summary>
/// <remarks>
/// <para>
/// At index <c>t</c> the sample is drawn from <see cref="To"/> with probability
/// <c>1 / (1 + exp(-4 (t - p) / w))</c>, where <c>p</c> is the position and <c>w</c> the width: the probability is
/// 1/2 at <c>p</c> and the change takes about <c>w</c> samples (the tangent at <c>p</c> has slope <c>1 / w</c>). A
/// width of 1 is practically abrupt. <see cref="DriftPoints"/> holds <c>p</c> alone. Only the stream a sample is
/// drawn from advances. <see cref="LabelledSample.Concept"/> is 0 for a sample of <see cref="From"/> and 1 for one of
/// <see cref="To"/>, <see cref="LabelledSample.Index"/> is the index in this stream, and every sample's features use
/// <see cref="From"/>'s schema instance.
/// </para>
/// <para>Deterministic for the same streams and seed. Not thread-safe: give each consumer its own instance.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A data stream in the stream-mining sense (MOA, River), not a System.IO.Stream; the suffix is the field's own term.")]
public sealed class ConceptDriftStream : IDriftingStream
{
    private readonly Random _random;
    private readonly ReadOnlyCollection<long> _driftPoints;
    private long _nextIndex;

    /// <summary>Creates a gradual drift from <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <param name="from">The stream before the drift.</param>
    /// <param name="to">The stream after the drift; must have a schema with the same features as <paramref name="from"/>'s, and the same task.</param>
    /// <param name="position">The index at which half the samples come from <paramref name="to"/>; positive.</param>
    /// <param name="width">The length of the change, in samples; at least 1.</param>
    /// <param name="seed">The seed of the choice between the streams.</param>
    /// <exception cref="ArgumentNullException"><paramref name="from"/> or <paramref name="to"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is not positive or <paramref name="width"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The two streams' schemas have different features, or the streams have different tasks (another kind, or other classes or the same classes in another order).</exception>
    public ConceptDriftStream(IDriftingStream from, IDriftingStream to, long position, long width, int seed)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The width of the drift must be at least 1 sample.");
        }

        if (!from.Schema.Features.Select(f => (f.Name, f.Kind)).SequenceEqual(to.Schema.Features.Select(f => (f.Name, f.Kind))))
        {
            throw new ArgumentException("The two streams must have the same features, in the same order and of the same kinds.", nameof(to));
        }

        if (!from.Task.Equals(to.Task))
        {
            throw new ArgumentException($"The two streams must have the same task; got {from.Task} and {to.Task}.", nameof(to));
        }

        _driftPoints = StreamArguments.DriftPoints([position], nameof(position));
        From = from;
        To = to;
        Position = position;
        Width = width;
        _random = new Random(seed);
    }

    /// <summary>Gets the stream before the drift.</summary>
    public IDriftingStream From { get; }

    /// <summary>Gets the stream after the drift.</summary>
    public IDriftingStream To { get; }

    /// <summary>Gets the index at which half the samples come from <see cref="To"/>.</summary>
    public long Position { get; }

    /// <summary>Gets the length of the change, in samples.</summary>
    public long Width { get; }

    /// <inheritdoc />
    public FeatureSchema Schema => From.Schema;

    /// <inheritdoc />
    /// <value><see cref="From"/>'s task, which is <see cref="To"/>'s.</value>
    public ModelTask Task => From.Task;

    /// <inheritdoc />
    public IReadOnlyList<long> DriftPoints => _driftPoints;

    /// <inheritdoc />
    public LabelledSample Next()
    {
        long index = _nextIndex++;
        double probability = 1.0 / (1.0 + Math.Exp(-4.0 * (index - Position) / Width));
        bool drifted = _random.NextDouble() < probability;
        LabelledSample sample = drifted ? To.Next() : From.Next();
        FeatureVector features = ReferenceEquals(sample.Features.Schema, Schema)
            ? sample.Features
            : FeatureVector.Create(Schema, sample.Features.Numeric, sample.Features.Categorical);
        return sample with { Features = features, Index = index, Concept = drifted ? 1 : 0 };
    }
}
