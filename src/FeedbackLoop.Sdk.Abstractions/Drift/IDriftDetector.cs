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

    /// <summary>Adds values in order, stopping after the first one that raises a drift.</summary>
    /// <param name="values">The observations, oldest first.</param>
    /// <returns>
    /// How many values were added: <c>values.Length</c> when none raised a drift; otherwise the position of the value
    /// that did, plus one, and <see cref="State"/> is then <see cref="DriftState.Drift"/>.
    /// </returns>
    /// <remarks>
    /// The result is the same as calling <see cref="Update"/> on each value until one returns
    /// <see cref="DriftState.Drift"/>, which is what this default does; a detector overrides it to keep its state in
    /// registers across the batch. To go on after a drift, call it again with the values not yet added: the detector
    /// restarts as it does on the <see cref="Update"/> after a drift. <see cref="State"/> after the call is the state
    /// after the last value added, so a warning raised earlier in the batch and cleared later is not seen.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A value is not accepted; the values before it have been added, as they would have been one at a time.
    /// </exception>
    int UpdateUntilDrift(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (Update(values[i]) == DriftState.Drift)
            {
                return i + 1;
            }
        }

        return values.Length;
    }

    /// <summary>Clears all state, as if no value had been seen.</summary>
    void Reset();
}
