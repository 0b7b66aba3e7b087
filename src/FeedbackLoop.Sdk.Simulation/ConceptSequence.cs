using System.Collections.ObjectModel;

namespace FeedbackLoop.Simulation;

/// <summary>
/// The concepts of an abruptly switching stream and the drift points between them, checked once (see
/// <see cref="StreamArguments"/>), with the position of the concept that labels the next sample.
/// </summary>
internal sealed class ConceptSequence
{
    private int _position;

    public ConceptSequence(IReadOnlyList<int> concepts, IReadOnlyList<long> driftPoints, int conceptCount, string family)
    {
        DriftPoints = StreamArguments.DriftPoints(driftPoints, nameof(driftPoints));
        Concepts = StreamArguments.Concepts(concepts, DriftPoints.Count, conceptCount, family, nameof(concepts));
    }

    public ReadOnlyCollection<long> DriftPoints { get; }

    public ReadOnlyCollection<int> Concepts { get; }

    /// <summary>Gets the position, in <see cref="Concepts"/>, of the concept that labelled the latest sample.</summary>
    public int Position => _position;

    /// <summary>Gets the concept that labelled the latest sample.</summary>
    public int Current => Concepts[_position];

    /// <summary>Moves to the concept of the sample at <paramref name="index"/> (called once per sample, in order).</summary>
    public void MoveTo(long index)
    {
        if (_position < DriftPoints.Count && index == DriftPoints[_position])
        {
            _position++;
        }
    }
}
