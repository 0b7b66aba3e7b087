using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FeedbackLoop.Storage;

/// <summary>
/// A fixed-capacity open-addressing hash table from <see cref="Guid"/> to a non-negative <see cref="int"/>, with
/// linear probing and backward-shift deletion (no tombstones, so the table never degrades under churn).
/// </summary>
/// <remarks>
/// The store keeps at most a bounded number of ids, so the table is sized once at twice that bound (load factor at
/// most 0.5) and never grows or allocates again. Keys and values sit side by side, so a lookup usually touches one
/// cache line, where <see cref="Dictionary{TKey, TValue}"/> touches a bucket and an entry. Not thread-safe.
/// </remarks>
internal sealed class GuidTable
{
    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly int _shift;

    public GuidTable(int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var size = (int)Math.Max(2, BitOperations.RoundUpToPowerOf2((uint)maxCount * 2));
        _entries = new Entry[size];
        _mask = size - 1;
        _shift = 64 - BitOperations.Log2((uint)size);
        MaxCount = maxCount;
    }

    public int Count { get; private set; }

    public int MaxCount { get; }

    public bool TryGetValue(Guid key, out int value)
    {
        for (var i = Home(key); ; i = (i + 1) & _mask)
        {
            ref var entry = ref _entries[i];
            if (entry.Occupied == 0)
            {
                value = -1;
                return false;
            }

            if (entry.Key == key)
            {
                value = entry.Value;
                return true;
            }
        }
    }

    /// <summary>Adds a key; returns <see langword="false"/> (and changes nothing) when it is present.</summary>
    /// <exception cref="InvalidOperationException">The table already holds <see cref="MaxCount"/> keys.</exception>
    public bool TryAdd(Guid key, int value)
    {
        for (var i = Home(key); ; i = (i + 1) & _mask)
        {
            ref var entry = ref _entries[i];
            if (entry.Occupied == 0)
            {
                if (Count == MaxCount)
                {
                    throw new InvalidOperationException($"The id table is full ({MaxCount} ids).");
                }

                entry = new Entry { Key = key, Value = value, Occupied = 1 };
                Count++;
                return true;
            }

            if (entry.Key == key)
            {
                return false;
            }
        }
    }

    public bool Remove(Guid key)
    {
        var i = Home(key);
        while (true)
        {
            ref var entry = ref _entries[i];
            if (entry.Occupied == 0)
            {
                return false;
            }

            if (entry.Key == key)
            {
                break;
            }

            i = (i + 1) & _mask;
        }

        // Backward-shift deletion (Knuth, TAOCP vol. 3, 6.4, Algorithm R): move later entries of the probe run
        // into the hole when their home slot does not lie cyclically between the hole and their position.
        var hole = i;
        for (var j = (hole + 1) & _mask; _entries[j].Occupied != 0; j = (j + 1) & _mask)
        {
            var home = Home(_entries[j].Key);
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays)
            {
                _entries[hole] = _entries[j];
                hole = j;
            }
        }

        _entries[hole] = default;
        Count--;
        return true;
    }

    /// <summary>Fibonacci hashing of both halves, so sequential (v7) and random (v4) GUIDs spread alike.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(Guid key)
    {
        var halves = MemoryMarshal.Cast<Guid, ulong>(MemoryMarshal.CreateReadOnlySpan(ref key, 1));
        return (int)(((halves[0] ^ halves[1]) * 0x9E3779B97F4A7C15UL) >> _shift) & _mask;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public Guid Key;
        public int Value;
        public int Occupied;
    }
}
