namespace FeedbackLoop.Simulation;

/// <summary>Draws from the standard normal distribution, the one way every stream does it.</summary>
internal static class StandardNormal
{
    /// <summary>
    /// One standard normal value by the Box–Muller transform (Box &amp; Muller 1958), from two uniform draws of
    /// <paramref name="random"/>, in that order; <c>1 − u</c> keeps the logarithm finite.
    /// </summary>
    public static double Next(Random random)
    {
        var (u1, u2) = (random.NextDouble(), random.NextDouble());
        return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
