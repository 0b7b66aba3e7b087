namespace FeedbackLoop.State;

/// <summary>
/// State that can absorb another instance's state, so that many application instances can combine their views of
/// one stream (sketches, counts, accumulators).
/// </summary>
/// <typeparam name="T">The type whose state is merged, normally the implementing type.</typeparam>
/// <remarks>Not thread-safe: neither instance may be updated during a merge.</remarks>
public interface IMergeable<in T>
{
    /// <summary>Adds <paramref name="other"/>'s state to this instance, as if this instance had also seen <paramref name="other"/>'s values.</summary>
    /// <param name="other">An instance with the same parameters; left unchanged.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="other"/> has other parameters.</exception>
    void Merge(T other);
}
