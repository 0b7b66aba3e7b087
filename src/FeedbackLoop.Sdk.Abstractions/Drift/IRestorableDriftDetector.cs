using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// A drift detector whose state can be saved and restored, so that a restored instance fed the rest of the stream
/// gives exactly the results the saved one would have given.
/// </summary>
/// <remarks>Not thread-safe, like <see cref="IDriftDetector"/>: do not snapshot or restore during an <see cref="IDriftDetector.Update"/>.</remarks>
public interface IRestorableDriftDetector : IDriftDetector
{
    /// <summary>Saves the parameters and the whole state.</summary>
    /// <returns>The snapshot; independent of later updates.</returns>
    StateSnapshot Snapshot();

    /// <summary>Replaces this instance's state with the one saved in <paramref name="snapshot"/>.</summary>
    /// <param name="snapshot">A snapshot taken from an instance of the same type with the same parameters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The snapshot is of another kind or version, was taken with other parameters, or is corrupt; the instance's
    /// state is unchanged.
    /// </exception>
    void Restore(StateSnapshot snapshot);
}
