namespace FeedbackLoop.Drift;

/// <summary>
/// A streaming change detector: fed one value at a time (a feature value, a score, or an error indicator
/// 0/1), it says whether the stream's distribution has changed.
/// </summary>
/// <remarks>
/// Instances are stateful and not thread-safe; the loop serialises calls to each instance and creates one
/// instance per monitored stream (a factory is registered, never a shared instance).
/// </remarks>
public interface IDriftDetector
{
    /// <summary>Gets the state after the last <see cref="Update"/>.</summary>
    DriftState State { get; }

    /// <summary>Adds one value.</summary>
    /// <param name="value">The observation.</param>
    /// <returns>The state after this value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not accepted (for example NaN, or not 0/1 for an error-rate detector).</exception>
    DriftState Update(double value);

    /// <summary>Clears all state, as if no value had been seen.</summary>
    void Reset();
}
