using System.Collections.ObjectModel;
using System.Globalization;

namespace FeedbackLoop.Simulation;

/// <summary>Validation shared by the stream constructors, so every stream reports bad arguments the same way.</summary>
internal static class StreamArguments
{
    /// <summary>Checks the label-noise probability.</summary>
    public static double Noise(double noise, string paramName)
    {
        if (!(noise >= 0.0 && noise < 0.5))
        {
            // 0.5 and above would make the noisy label independent of (or anti-correlated with) the concept.
            throw new ArgumentOutOfRangeException(
                paramName, noise, $"The label noise is the probability that a label is flipped and must be in [0, 0.5); got {noise.ToString(CultureInfo.InvariantCulture)}.");
        }

        return noise;
    }

    /// <summary>
    /// Checks a sequence of concepts against the drift points that separate them: one more concept than drift points,
    /// each an index below <paramref name="conceptCount"/>, no two consecutive ones equal (every drift point changes the
    /// concept; a concept may recur later). Returns a read-only copy.
    /// </summary>
    public static ReadOnlyCollection<int> Concepts(IReadOnlyList<int> concepts, int driftPoints, int conceptCount, string family, string paramName)
    {
        ArgumentNullException.ThrowIfNull(concepts, paramName);
        if (concepts.Count != driftPoints + 1)
        {
            throw new ArgumentException($"Expected {driftPoints + 1} concepts (one more than the {driftPoints} drift points); got {concepts.Count}.", paramName);
        }

        var copy = new int[concepts.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var concept = concepts[i];
            if (concept < 0 || concept >= conceptCount)
            {
                throw new ArgumentOutOfRangeException(paramName, concept, $"Concept {i} is {concept}; {family} concepts are indexes 0..{conceptCount - 1}.");
            }

            if (i > 0 && concept == copy[i - 1])
            {
                throw new ArgumentException(
                    $"Concepts {i - 1} and {i} are both {concept}; consecutive concepts must differ so that drift point {i - 1} changes the concept.", paramName);
            }

            copy[i] = concept;
        }

        return Array.AsReadOnly(copy);
    }

    /// <summary>Checks that drift points are positive and strictly increasing, and returns a read-only copy.</summary>
    public static ReadOnlyCollection<long> DriftPoints(IReadOnlyList<long> driftPoints, string paramName)
    {
        ArgumentNullException.ThrowIfNull(driftPoints, paramName);
        var copy = new long[driftPoints.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var point = driftPoints[i];
            if (point <= 0)
            {
                throw new ArgumentOutOfRangeException(
                    paramName, point, $"Drift point {i} is {point}; drift points must be positive (the first concept starts at index 0).");
            }

            if (i > 0 && point <= copy[i - 1])
            {
                throw new ArgumentException(
                    $"Drift points must be strictly increasing; drift point {i} ({point}) is not after drift point {i - 1} ({copy[i - 1]}).", paramName);
            }

            copy[i] = point;
        }

        return Array.AsReadOnly(copy);
    }
}
