using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FeedbackLoop.State;

/// <summary>
/// Reads the payload written by <see cref="SnapshotWriter"/>, checking the kind, the version and the parameters of
/// the instance being restored. Every failure is an <see cref="ArgumentException"/> naming the snapshot parameter, so a
/// restorable type's <c>Restore</c> can let them propagate.
/// </summary>
/// <remarks>
/// A restorable type reads everything into locals first and assigns its fields only after <see cref="End"/>, so that a
/// refused snapshot leaves the instance unchanged. Not thread-safe; a reader lives on the stack of one <c>Restore</c> call.
/// </remarks>
public ref struct SnapshotReader
{
    // The parameter of IRestorableDriftDetector.Restore that every failure is reported against.
    private static readonly string SnapshotParameter = "snapshot";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
    /// <param name="snapshot">The snapshot to restore.</param>
    /// <param name="kind">The kind the restoring type writes.</param>
    /// <param name="version">The state version the restoring type reads.</param>
    /// <returns>A reader positioned at the start of the payload.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The snapshot is of another kind or version.</exception>
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

    /// <summary>Reads a 64-bit float.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The payload is truncated.</exception>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads a 64-bit integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The payload is truncated.</exception>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads an integer written by <see cref="SnapshotWriter.Write(int)"/>.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The payload is truncated, or the value is out of range.</exception>
    public int ReadInt32()
    {
        long value = ReadInt64();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Corrupt("an integer is out of range");
    }

    /// <summary>Reads a flag.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The payload is truncated, or the flag is neither 0 nor 1.</exception>
    public bool ReadBoolean() => ReadInt64() switch
    {
        0 => false,
        1 => true,
        _ => throw Corrupt("a flag is neither 0 nor 1"),
    };

    /// <summary>Reads a string written by <see cref="SnapshotWriter.Write(string)"/>, refusing one longer than <paramref name="maximumBytes"/> UTF-8 bytes.</summary>
    /// <param name="maximumBytes">The longest string, in UTF-8 bytes, the restoring instance accepts.</param>
    /// <returns>The string.</returns>
    /// <exception cref="ArgumentException">The payload is truncated, the length is out of range, or the bytes are not UTF-8.</exception>
    public string ReadString(int maximumBytes)
    {
        int length = ReadLength(maximumBytes);
        ReadOnlySpan<byte> bytes = Take(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt("a string is not valid UTF-8");
        }
    }

    /// <summary>Reads bytes written by <see cref="SnapshotWriter.Write(ReadOnlySpan{byte})"/>, refusing more than <paramref name="maximumLength"/>.</summary>
    /// <param name="maximumLength">The most bytes the restoring instance accepts.</param>
    /// <returns>A new array.</returns>
    /// <exception cref="ArgumentException">The payload is truncated, or the count is negative or too large.</exception>
    public byte[] ReadBytes(int maximumLength) => Take(ReadLength(maximumLength)).ToArray();

    /// <summary>Reads a length-prefixed array, refusing a length above <paramref name="maximumLength"/>.</summary>
    /// <param name="maximumLength">The longest array the restoring instance can hold.</param>
    /// <returns>A new array.</returns>
    /// <exception cref="ArgumentException">The payload is truncated, or the length is negative or too long.</exception>
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
    /// <param name="maximumLength">The longest array the restoring instance can hold.</param>
    /// <returns>A new array.</returns>
    /// <exception cref="ArgumentException">The payload is truncated, or the length is negative or too long.</exception>
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
    /// <param name="name">The parameter's name, for the message.</param>
    /// <param name="expected">The restoring instance's value.</param>
    /// <exception cref="ArgumentException">The values differ, or the payload is truncated.</exception>
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
    /// <param name="name">The parameter's name, for the message.</param>
    /// <param name="expected">The restoring instance's value.</param>
    /// <exception cref="ArgumentException">The values differ, or the payload is truncated.</exception>
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
    /// <exception cref="ArgumentException">Bytes are left over.</exception>
    public readonly void End()
    {
        if (_position != _payload.Length)
        {
            throw Corrupt($"{_payload.Length - _position} bytes are left over");
        }
    }

    /// <summary>Creates the exception for a payload that is inconsistent, for the restoring type's own checks.</summary>
    /// <param name="what">How the payload is inconsistent.</param>
    /// <returns>The exception to throw.</returns>
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
