namespace FeedbackLoop.Numerics;

/// <summary>An element <see cref="ScoreSort"/> can radix-sort: it carries an order-preserving 64-bit key.</summary>
internal interface IRadixKeyed
{
    ulong Key { get; }
}
