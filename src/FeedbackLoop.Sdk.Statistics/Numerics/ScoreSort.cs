using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FeedbackLoop.Numerics;

/// <summary>Sorts finite scores, each carrying one double payload, in ascending order of score.</summary>
/// <remarks>
/// A least-significant-digit radix sort (Knuth, TAOCP vol. 3, §5.2.5) over an order-preserving 64-bit image of
/// each score, in 11-bit digits: O(n) per pass, at most six passes, and a pass is skipped when every key shares
/// its digit (common for the high exponent bits of probabilities). Below <see cref="RadixThreshold"/> elements a
/// comparison sort is cheaper than clearing the histograms. Stateless and thread-safe.
/// </remarks>
internal static class ScoreSort
{
    /// <summary>Below this many elements the comparison sort is used.</summary>
    internal const int RadixThreshold = 256;

    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int Passes = (64 + DigitBits - 1) / DigitBits;
    private const ulong Mask = Buckets - 1;

    /// <summary>Maps a score to an unsigned key whose unsigned order is the score's numeric order.</summary>
    /// <remarks>
    /// IEEE 754 doubles compare like sign-magnitude integers: flipping the sign bit of a non-negative value and all
    /// bits of a negative one yields keys that compare as unsigned integers in numeric order. −0 is mapped to +0
    /// first so that the two zeros, which compare equal, share a key.
    /// </remarks>
    public static ulong ToKey(double score)
    {
        if (score == 0.0)
        {
            score = 0.0;
        }

        long bits = BitConverter.DoubleToInt64Bits(score);
        return (ulong)bits ^ ((ulong)(bits >> 63) | 0x8000_0000_0000_0000UL);
    }

    /// <summary>Maps a key made by <see cref="ToKey"/> back to its score (−0 comes back as +0).</summary>
    public static double FromKey(ulong key)
    {
        ulong bits = (key & 0x8000_0000_0000_0000UL) != 0 ? key ^ 0x8000_0000_0000_0000UL : ~key;
        return BitConverter.Int64BitsToDouble((long)bits);
    }

    /// <summary>Sorts <paramref name="entries"/> by key, using <paramref name="scratch"/> of the same length.</summary>
    /// <typeparam name="T">The element: a score entry, or a bare key.</typeparam>
    /// <returns>The span, <paramref name="entries"/> or <paramref name="scratch"/>, that holds the sorted entries.</returns>
    public static Span<T> Sort<T>(Span<T> entries, Span<T> scratch)
        where T : struct, IRadixKeyed
    {
        if (entries.Length < RadixThreshold)
        {
            entries.Sort(static (a, b) => a.Key.CompareTo(b.Key));
            return entries;
        }

        int[] histogramBuffer = ArrayPool<int>.Shared.Rent(Passes * Buckets);
        try
        {
            Span<int> histograms = histogramBuffer.AsSpan(0, Passes * Buckets);
            histograms.Clear();

            // Masked digits are always inside their 2,048-entry histogram, so the hot loops index without bounds
            // checks; the passes are unrolled (Passes is 6).
            ref int counts = ref MemoryMarshal.GetReference(histograms);
            foreach (ref readonly T entry in entries)
            {
                ulong key = entry.Key;
                Unsafe.Add(ref counts, (int)(key & Mask))++;
                Unsafe.Add(ref counts, Buckets + (int)((key >> DigitBits) & Mask))++;
                Unsafe.Add(ref counts, (2 * Buckets) + (int)((key >> (2 * DigitBits)) & Mask))++;
                Unsafe.Add(ref counts, (3 * Buckets) + (int)((key >> (3 * DigitBits)) & Mask))++;
                Unsafe.Add(ref counts, (4 * Buckets) + (int)((key >> (4 * DigitBits)) & Mask))++;
                Unsafe.Add(ref counts, (5 * Buckets) + (int)(key >> (5 * DigitBits)))++;
            }

            Span<T> source = entries;
            Span<T> target = scratch[..entries.Length];
            for (int pass = 0; pass < Passes; pass++)
            {
                Span<int> offsets = histograms.Slice(pass * Buckets, Buckets);
                int shift = pass * DigitBits;
                if (offsets[(int)((source[0].Key >> shift) & (Buckets - 1))] == source.Length)
                {
                    continue;
                }

                int running = 0;
                for (int b = 0; b < Buckets; b++)
                {
                    int count = offsets[b];
                    offsets[b] = running;
                    running += count;
                }

                ref int offset = ref MemoryMarshal.GetReference(offsets);
                ref T destination = ref MemoryMarshal.GetReference(target);
                foreach (ref readonly T entry in source)
                {
                    // Each offset stays below source.Length: it starts at the count of smaller digits.
                    Unsafe.Add(ref destination, Unsafe.Add(ref offset, (int)((entry.Key >> shift) & Mask))++) = entry;
                }

                Span<T> swap = source;
                source = target;
                target = swap;
            }

            return source;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(histogramBuffer);
        }
    }
}
