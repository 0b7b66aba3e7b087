namespace FeedbackLoop.Simulation;

/// <summary>Convenience members for <see cref="IDriftingStream"/>.</summary>
public static class DriftingStreamExtensions
{
    /// <summary>Draws the next <paramref name="count"/> samples of a stream, lazily.</summary>
    /// <param name="stream">The stream to draw from; each sample enumerated advances it.</param>
    /// <param name="count">How many samples to draw; 0 gives an empty sequence.</param>
    /// <returns>
    /// A sequence that calls <see cref="IDriftingStream.Next"/> once per element as it is enumerated. Enumerating it
    /// twice draws new samples the second time, because the stream has moved on.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <remarks>Not thread-safe, like the stream it reads.</remarks>
    public static IEnumerable<LabelledSample> Take(this IDriftingStream stream, int count)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Draw(stream, count);
    }

    private static IEnumerable<LabelledSample> Draw(IDriftingStream stream, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return stream.Next();
        }
    }
}
