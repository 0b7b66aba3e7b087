namespace FeedbackLoop.Drift;

/// <summary>The state of a drift detector after an observation.</summary>
public enum DriftState
{
    /// <summary>No change detected.</summary>
    None,

    /// <summary>A change may be starting; the detector has not concluded.</summary>
    Warning,

    /// <summary>A change was detected.</summary>
    Drift,
}
