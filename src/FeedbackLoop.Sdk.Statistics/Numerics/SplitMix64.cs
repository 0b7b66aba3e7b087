namespace FeedbackLoop.Numerics;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA): a seeded
/// generator whose whole state is one 64-bit word, so detectors and sketches can save it in a snapshot and replay
/// exactly, and test data can be regenerated bit for bit in Python.
/// </summary>
internal struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;

    public SplitMix64(ulong state) => State = state;

    /// <summary>Gets the state; a generator created from it continues the same sequence.</summary>
    public ulong State { get; private set; }

    public ulong NextUInt64()
    {
        ulong z = State += Gamma;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An integer in [0, <paramref name="maxExclusive"/>) by multiply-shift of the top 32 bits (Lemire 2019, without the rejection step; the bias is below 2^-32 · n).</summary>
    public int NextInt32(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
}
