namespace FeedbackLoop.Numerics;

/// <summary>A bare sort key, for sorting values that carry nothing else.</summary>
internal readonly struct RadixKey(ulong key) : IRadixKeyed
{
    public ulong Key { get; } = key;
}
