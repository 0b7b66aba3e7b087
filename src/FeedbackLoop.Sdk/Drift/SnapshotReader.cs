using System.Buffers.Binary;
using System.Globalization;

namespace FeedbackLoop.Drift;

/// <summary>
/// Reads the payload written by <see cref="SnapshotWriter"/>, checking the kind, the version and the parameters of
/// the instance being restored. Every failure is an <see cref="ArgumentException"/> naming the snapshot parameter.
/// </summary>
internal ref struct SnapshotReader
{
    // The parameter of IRestorableDriftDetector.Restore that every failure is reported against.
    private static readonly string SnapshotParameter = "snapshot";

    private readonly ReadOnlySpan<byte> _payload;
    private readonly string _kind;
    private int _position;

    private SnapshotReader(ReadOnlySpan<byte> payload, string kind)
    {
        _payload = payload;
        _kind = kind;
        _position = 0;
    }

    /// <summary>Starts reading <paramref name="snapshot"/> after checking that it holds <paramref name="kind"/> state of <paramref name="version"/>.</summary>
    public static SnapshotReader Open(StateSnapshot snapshot, string kind, int version)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Kind != kind)
        {
            throw new ArgumentException($"The snapshot holds {snapshot.Kind} state and cannot be restored into {kind}.", nameof(snapshot));
        }

        if (snapshot.Version != version)
        {
            throw new ArgumentException(
                $"The snapshot holds {kind} state version {snapshot.Version}; this library reads version {version}.",
                nameof(snapshot));
        }

        return new SnapshotReader(snapshot.Payload, kind);
    }

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public int ReadInt32()
    {
        long value = ReadInt64();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Corrupt("an integer is out of range");
    }

    public bool ReadBoolean() => ReadInt64() switch
    {
        0 => false,
        1 => true,
        _ => throw Corrupt("a flag is neither 0 nor 1"),
    };

    /// <summary>Reads a length-prefixed array, refusing a length above <paramref name="maximumLength"/>.</summary>
    public double[] ReadDoubles(int maximumLength)
    {
        int length = ReadLength(maximumLength);
        var values = new double[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ReadDouble();
        }

        return values;
    }

    /// <summary>Reads a length-prefixed array, refusing a length above <paramref name="maximumLength"/>.</summary>
    public long[] ReadInt64s(int maximumLength)
    {
        int length = ReadLength(maximumLength);
        var values = new long[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ReadInt64();
        }

        return values;
    }

    /// <summary>Reads a parameter and throws unless it equals the restoring instance's value.</summary>
    public void ExpectParameter(string name, double expected)
    {
        double actual = ReadDouble();
        if (actual.Equals(expected))
        {
            return;
        }

        throw new ArgumentException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"The snapshot was taken from {_kind} with {name} = {actual:R}, but this instance has {name} = {expected:R}; restore into an instance with the same parameters."),
            SnapshotParameter);
    }

    /// <summary>Reads a parameter and throws unless it equals the restoring instance's value.</summary>
    public void ExpectParameter(string name, long expected)
    {
        long actual = ReadInt64();
        if (actual == expected)
        {
            return;
        }

        throw new ArgumentException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"The snapshot was taken from {_kind} with {name} = {actual}, but this instance has {name} = {expected}; restore into an instance with the same parameters."),
            SnapshotParameter);
    }

    /// <summary>Throws unless every payload byte was read.</summary>
    public readonly void End()
    {
        if (_position != _payload.Length)
        {
            throw Corrupt($"{_payload.Length - _position} bytes are left over");
        }
    }

    /// <summary>Creates the exception for a payload that is inconsistent; <paramref name="what"/> says how.</summary>
    public readonly ArgumentException Corrupt(string what) =>
        new($"The {_kind} snapshot is corrupt: {what}.", SnapshotParameter);

    private int ReadLength(int maximumLength)
    {
        long length = ReadInt64();
        return length >= 0 && length <= maximumLength
            ? (int)length
            : throw Corrupt(string.Create(CultureInfo.InvariantCulture, $"an array length {length} is outside 0..{maximumLength}"));
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_payload.Length - _position < count)
        {
            throw Corrupt("the payload is truncated");
        }

        ReadOnlySpan<byte> bytes = _payload.Slice(_position, count);
        _position += count;
        return bytes;
    }
}
