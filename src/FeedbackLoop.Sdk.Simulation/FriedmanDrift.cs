namespace FeedbackLoop.Simulation;

/// <summary>
/// The drifts of a <see cref="FriedmanStream"/>: the three variants of Ikonomovska, Gama &amp; Džeroski (2011), "Learning
/// model trees from evolving data streams", Data Mining and Knowledge Discovery 23(1), section 6.1, as River's
/// <c>FriedmanDrift</c> publishes them (<c>'gra'</c>, <c>'gsg'</c>, <c>'lea'</c>), or none.
/// </summary>
public enum FriedmanDrift
{
    /// <summary>No drift: Friedman #1 throughout; no drift points.</summary>
    None = 0,

    /// <summary>
    /// Global recurring abrupt (<c>'gra'</c>): at the first drift point the relevant and irrelevant features swap roles over
    /// the whole input space, <c>y = 10 sin(π x4 x6) + 20 (x2 − ½)² + 10 x1 + 5 x3</c>; at the second the original concept
    /// returns. Two drift points.
    /// </summary>
    GlobalRecurringAbrupt = 1,

    /// <summary>
    /// Global and slow gradual (<c>'gsg'</c>): at the first drift point <c>y = 10 sin(π x4 x5) + 20 (x2 − ½)² + 10 x1 + 5 x3</c>,
    /// at the second <c>y = 10 sin(π x2 x5) + 20 (x4 − ½)² + 10 x3 + 5 x1</c>; for a transition window after each drift
    /// point a sample follows the old or the new concept with equal probability. Two drift points.
    /// </summary>
    GlobalSlowGradual = 2,

    /// <summary>
    /// Local expanding abrupt (<c>'lea'</c>): at each of three drift points the target changes in two regions of the input
    /// space, and the regions grow at each drift point (see <see cref="FriedmanStream"/>). Three drift points.
    /// </summary>
    LocalExpandingAbrupt = 3,
}
