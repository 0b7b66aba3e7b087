using System.Buffers.Binary;
using System.Text;

namespace FeedbackLoop.Drift;

/// <summary>
/// The saved state of a detector or sketch in a versioned binary format, so that a restored instance continues
/// exactly where the saved one stopped (in another process, or after a restart).
/// </summary>
/// <remarks>
/// <para>
/// Layout, little-endian: the magic bytes <c>FLSS</c>; the envelope version (1 byte, currently 1); the kind as a
/// length-prefixed ASCII string (1-byte length); the kind's state version (2 bytes); the payload length (4 bytes);
/// the payload. The payload holds the instance's parameters followed by its state; a restore checks both the kind
/// and the parameters.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class StateSnapshot
{
    private const byte EnvelopeVersion = 1;
    private static ReadOnlySpan<byte> Magic => "FLSS"u8;

    private readonly byte[] _payload;

    internal StateSnapshot(string kind, int version, byte[] payload)
    {
        Kind = kind;
        Version = version;
        _payload = payload;
    }

    /// <summary>Gets the kind of state, the name of the type that wrote it (for example <c>Adwin</c>).</summary>
    public string Kind { get; }

    /// <summary>Gets the version of the kind's state format.</summary>
    public int Version { get; }

    internal ReadOnlySpan<byte> Payload => _payload;

    /// <summary>Reads a snapshot written by <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="FormatException">The bytes are not a snapshot, are truncated, or have an unknown envelope version.</exception>
    public static StateSnapshot FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Magic.Length + 2 || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new FormatException("The bytes are not a FeedbackLoop state snapshot (the FLSS header is missing).");
        }

        int position = Magic.Length;
        byte envelope = bytes[position++];
        if (envelope != EnvelopeVersion)
        {
            throw new FormatException($"The snapshot envelope version {envelope} is not supported; this library reads version {EnvelopeVersion}.");
        }

        int kindLength = bytes[position++];
        if (bytes.Length < position + kindLength + 6)
        {
            throw new FormatException("The snapshot is truncated: its header is incomplete.");
        }

        string kind = Encoding.ASCII.GetString(bytes.Slice(position, kindLength));
        position += kindLength;
        int version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[position..]);
        position += 2;
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
        position += 4;
        if (length < 0 || bytes.Length - position != length)
        {
            throw new FormatException(
                $"The snapshot is truncated or has trailing bytes: the header announces {length} payload bytes but {bytes.Length - position} follow.");
        }

        return new StateSnapshot(kind, version, bytes[position..].ToArray());
    }

    /// <summary>Writes the snapshot in its binary format.</summary>
    /// <returns>A new array holding the snapshot.</returns>
    public byte[] ToBytes()
    {
        int kindLength = Kind.Length;
        var bytes = new byte[Magic.Length + 2 + kindLength + 6 + _payload.Length];
        Magic.CopyTo(bytes);
        int position = Magic.Length;
        bytes[position++] = EnvelopeVersion;
        bytes[position++] = (byte)kindLength;
        position += Encoding.ASCII.GetBytes(Kind, bytes.AsSpan(position));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(position), (ushort)Version);
        position += 2;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(position), _payload.Length);
        position += 4;
        _payload.CopyTo(bytes.AsSpan(position));
        return bytes;
    }
}
