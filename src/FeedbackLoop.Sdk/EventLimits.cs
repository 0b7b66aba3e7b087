namespace FeedbackLoop;

/// <summary>
/// Limits on what one event may carry, checked on the request path: the loop keeps events' strings, so without limits
/// in characters a few oversized events could hold gigabytes.
/// </summary>
public sealed class EventLimits
{
    /// <summary>
    /// Gets or sets the longest string an event may carry, in characters: categorical feature values, segment keys and
    /// values, categorical labels, feedback sources and model versions.
    /// </summary>
    /// <value>Default 1,024.</value>
    public int MaxStringLength { get; set; } = 1_024;

    /// <summary>Gets or sets the most segment tags one prediction may carry.</summary>
    /// <value>Default 16.</value>
    public int MaxSegments { get; set; } = 16;
}
