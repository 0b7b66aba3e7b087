using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FeedbackLoop.State;

/// <summary>
/// The saved state of a detector, sketch, accumulator or loop component in a versioned, integrity-checked binary
/// format, so that a restored instance continues exactly where the saved one stopped (in another process, or after a
/// restart).
/// </summary>
/// <remarks>
/// <para>
/// Layout, little-endian: the magic bytes <c>FLSS</c>; the envelope version (1 byte, currently 2); the kind as a
/// length-prefixed ASCII string (1-byte length); the kind's state version (2 bytes); the payload length (4 bytes);
/// the payload; and the SHA-256 of all preceding bytes (32 bytes). The payload holds the instance's parameters
/// followed by its state; a restore checks the kind, the version and the parameters. The hash makes a flipped or
/// truncated byte a <see cref="FormatException"/> on <see cref="FromBytes"/>, never a silently different state.
/// </para>
/// <para>
/// Types in any library can write snapshots: <see cref="SnapshotWriter"/> writes and <see cref="SnapshotReader"/> reads
/// the payload, or a type with a serializer of its own passes its bytes to the constructor.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class StateSnapshot
{
    private const byte EnvelopeVersion = 2;
    private const int HashLength = 32;
    private static ReadOnlySpan<byte> Magic => "FLSS"u8;

    private readonly byte[] _payload;

    /// <summary>Initializes a snapshot of <paramref name="kind"/> state from its payload.</summary>
    /// <param name="kind">The kind of state: printable ASCII, 1 to 255 characters (normally the writing type's name).</param>
    /// <param name="version">The kind's state format version, 0 to 65,535.</param>
    /// <param name="payload">The payload, copied.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is empty, too long or not printable ASCII.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is out of range.</exception>
    public StateSnapshot(string kind, int version, ReadOnlySpan<byte> payload)
    {
        ValidateHeader(kind, version);
        Kind = kind;
        Version = version;
        _payload = payload.ToArray();
    }

    /// <summary>Gets the kind of state, the name of the type that wrote it (for example <c>Adwin</c>).</summary>
    public string Kind { get; }

    /// <summary>Gets the version of the kind's state format.</summary>
    public int Version { get; }

    /// <summary>Gets the payload: the instance's parameters and state as its writer laid them out.</summary>
    public ReadOnlySpan<byte> Payload => _payload;

    /// <summary>Reads a snapshot written by <see cref="ToBytes"/>, checking its integrity.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="FormatException">
    /// The bytes are not a snapshot, are truncated, have an unknown envelope version, or fail the integrity check.
    /// </exception>
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
        if (bytes.Length < position + kindLength + 6 + HashLength)
        {
            throw new FormatException("The snapshot is truncated: its header is incomplete.");
        }

        Span<byte> hash = stackalloc byte[HashLength];
        SHA256.HashData(bytes[..^HashLength], hash);
        if (!hash.SequenceEqual(bytes[^HashLength..]))
        {
            throw new FormatException("The snapshot fails its integrity check (SHA-256): it was altered or truncated after it was written.");
        }

        string kind = Encoding.ASCII.GetString(bytes.Slice(position, kindLength));
        position += kindLength;
        int version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[position..]);
        position += 2;
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
        position += 4;
        if (length < 0 || bytes.Length - HashLength - position != length)
        {
            throw new FormatException(
                $"The snapshot's header announces {length} payload bytes but {bytes.Length - HashLength - position} follow.");
        }

        try
        {
            return new StateSnapshot(kind, version, bytes.Slice(position, length));
        }
        catch (ArgumentException exception)
        {
            throw new FormatException($"The snapshot's header is invalid: {exception.Message}", exception);
        }
    }

    /// <summary>Writes the snapshot in its binary format.</summary>
    /// <returns>A new array holding the snapshot.</returns>
    public byte[] ToBytes()
    {
        int kindLength = Kind.Length;
        var bytes = new byte[Magic.Length + 2 + kindLength + 6 + _payload.Length + HashLength];
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
        position += _payload.Length;
        SHA256.HashData(bytes.AsSpan(0, position), bytes.AsSpan(position));
        return bytes;
    }

    internal static void ValidateHeader(string kind, int version)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        if (kind.Length > byte.MaxValue || !kind.All(c => c is >= ' ' and <= '~'))
        {
            throw new ArgumentException($"A snapshot kind is 1 to 255 printable ASCII characters; '{kind}' is not.", nameof(kind));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, ushort.MaxValue);
    }
}
