using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FeedbackLoop.Storage;

/// <summary>
/// The store's index from prediction id to ring position: open addressing with linear probing and backward-shift
/// deletion, eight bytes an entry, sized once and never resized.
/// </summary>
/// <remarks>
/// <para>
/// An entry packs the top 32 bits of the id's hash with the ring position (plus one; zero is an empty entry). The
/// hash bits give the entry's home without reading the id, so deletion never leaves the table; a lookup reads the
/// id column only when the hash bits match. At most <c>maxCount</c> entries in a table of at least twice as many
/// keeps probe runs short (load factor at most 0.5), and at eight bytes an entry the table is a third of the size of
/// one holding the ids themselves, which matters because every lookup is a cache miss into it.
/// </para>
/// <para>Not thread-safe; the store calls it under its lock.</para>
/// </remarks>
internal sealed class PredictionIndex
{
    private readonly ulong[] _entries;
    private readonly Guid[] _ids;
    private readonly int _mask;
    private readonly int _homeShift;
    private int _count;

    /// <param name="ids">The store's id column: <c>ids[position]</c> is the id stored at that ring position.</param>
    public PredictionIndex(Guid[] ids)
    {
        _ids = ids;
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, ids.Length * 2));
        _entries = new ulong[size];
        _mask = size - 1;
        _homeShift = 32 - BitOperations.Log2((uint)size);
    }

    public bool TryGetPosition(Guid id, out int position)
    {
        var hash = Hash(id);
        for (var i = Home(hash); ; i = (i + 1) & _mask)
        {
            var entry = _entries[i];
            if (entry == 0)
            {
                position = -1;
                return false;
            }

            position = (int)(uint)entry - 1;
            if ((uint)(entry >> 32) == hash && _ids[position] == id)
            {
                return true;
            }
        }
    }

    /// <summary>Adds <paramref name="id"/> at <paramref name="position"/>; returns <see langword="false"/> when the id is already indexed.</summary>
    /// <remarks>The caller writes <c>ids[position]</c> afterwards; until then only other ids are compared.</remarks>
    public bool TryAdd(Guid id, int position)
    {
        var hash = Hash(id);
        for (var i = Home(hash); ; i = (i + 1) & _mask)
        {
            var entry = _entries[i];
            if (entry == 0)
            {
                if (_count == _ids.Length)
                {
                    throw new InvalidOperationException("The prediction index is full; remove the evicted id first.");
                }

                _entries[i] = ((ulong)hash << 32) | (uint)(position + 1);
                _count++;
                return true;
            }

            if ((uint)(entry >> 32) == hash && _ids[(int)(uint)entry - 1] == id)
            {
                return false;
            }
        }
    }

    /// <summary>Removes the entry of <paramref name="id"/>, which is stored at <paramref name="position"/>.</summary>
    public void Remove(Guid id, int position)
    {
        var target = ((ulong)Hash(id) << 32) | (uint)(position + 1);
        var hole = Home((uint)(target >> 32));
        while (_entries[hole] != target)
        {
            if (_entries[hole] == 0)
            {
                return;
            }

            hole = (hole + 1) & _mask;
        }

        // Backward-shift deletion (Knuth, TAOCP vol. 3, 6.4, Algorithm R): pull each later entry of the probe run
        // into the hole unless its home lies cyclically in (hole, j], where it must stay to remain reachable.
        for (var j = (hole + 1) & _mask; _entries[j] != 0; j = (j + 1) & _mask)
        {
            var home = Home((uint)(_entries[j] >> 32));
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays)
            {
                _entries[hole] = _entries[j];
                hole = j;
            }
        }

        _entries[hole] = 0;
        _count--;
    }

    /// <summary>Fibonacci hashing of both halves, so sequential (version 7) and random (version 4) ids spread alike; the top 32 bits are kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(Guid id)
    {
        var halves = MemoryMarshal.Cast<Guid, ulong>(MemoryMarshal.CreateReadOnlySpan(ref id, 1));
        return (uint)(((halves[0] ^ halves[1]) * 0x9E3779B97F4A7C15UL) >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(uint hash) => (int)(hash >> _homeShift) & _mask;
}
