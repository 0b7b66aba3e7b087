namespace FeedbackLoop.Drift;

/// <summary>The direction of a change in the mean that a <see cref="PageHinkley"/> or <see cref="Cusum"/> detector looks for.</summary>
/// <remarks>Mirrors the <c>mode</c> parameter of River's <c>drift.PageHinkley</c> (<c>"up"</c>, <c>"down"</c>, <c>"both"</c>).</remarks>
public enum ChangeDirection
{
    /// <summary>Only an increase of the mean raises a drift.</summary>
    Up,

    /// <summary>Only a decrease of the mean raises a drift.</summary>
    Down,

    /// <summary>An increase or a decrease of the mean raises a drift (the two-sided test).</summary>
    Both,
}
