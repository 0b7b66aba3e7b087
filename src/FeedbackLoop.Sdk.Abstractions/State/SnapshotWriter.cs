using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace FeedbackLoop.State;

/// <summary>
/// Writes the payload of a <see cref="StateSnapshot"/>: parameters first, then state, little-endian, read back in the
/// same order by <see cref="SnapshotReader"/>.
/// </summary>
/// <remarks>
/// Integers and flags are written as 8 bytes, arrays and strings with a length prefix. Not thread-safe: one writer
/// serves one <c>Snapshot()</c> call.
/// </remarks>
public sealed class SnapshotWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly string _kind;
    private readonly int _version;

    /// <summary>Initializes a writer for state of <paramref name="kind"/>, format <paramref name="version"/>.</summary>
    /// <param name="kind">The kind of state: printable ASCII, 1 to 255 characters (normally the writing type's name).</param>
    /// <param name="version">The kind's state format version, 0 to 65,535.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is empty, too long or not printable ASCII.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is out of range.</exception>
    public SnapshotWriter(string kind, int version)
    {
        StateSnapshot.ValidateHeader(kind, version);
        _kind = kind;
        _version = version;
    }

    /// <summary>Writes a 64-bit float.</summary>
    /// <param name="value">The value.</param>
    /// <returns>This writer.</returns>
    public SnapshotWriter Write(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    /// <summary>Writes a 64-bit integer.</summary>
    /// <param name="value">The value.</param>
    /// <returns>This writer.</returns>
    public SnapshotWriter Write(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    /// <summary>Writes an integer (as 8 bytes; read it with <see cref="SnapshotReader.ReadInt32"/>).</summary>
    /// <param name="value">The value.</param>
    /// <returns>This writer.</returns>
    public SnapshotWriter Write(int value) => Write((long)value);

    /// <summary>Writes a flag.</summary>
    /// <param name="value">The value.</param>
    /// <returns>This writer.</returns>
    public SnapshotWriter Write(bool value) => Write(value ? 1L : 0L);

    /// <summary>Writes a string as its UTF-8 byte count and bytes.</summary>
    /// <param name="value">The value.</param>
    /// <returns>This writer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public SnapshotWriter Write(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int length = Encoding.UTF8.GetByteCount(value);
        Write(length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    /// <summary>Writes bytes as their count and the bytes (for example a nested snapshot's <see cref="StateSnapshot.ToBytes"/>).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>This writer.</returns>
    public SnapshotWriter Write(ReadOnlySpan<byte> bytes)
    {
        Write(bytes.Length);
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
        return this;
    }

    /// <summary>Writes an array as its length and values.</summary>
    /// <param name="values">The values.</param>
    /// <returns>This writer.</returns>
    public SnapshotWriter Write(ReadOnlySpan<double> values)
    {
        Write(values.Length);
        foreach (double value in values)
        {
            Write(value);
        }

        return this;
    }

    /// <summary>Writes an array as its length and values.</summary>
    /// <param name="values">The values.</param>
    /// <returns>This writer.</returns>
    public SnapshotWriter Write(ReadOnlySpan<long> values)
    {
        Write(values.Length);
        foreach (long value in values)
        {
            Write(value);
        }

        return this;
    }

    /// <summary>Creates the snapshot of everything written so far.</summary>
    /// <returns>A new snapshot, independent of later writes.</returns>
    public StateSnapshot ToSnapshot() => new(_kind, _version, _buffer.WrittenSpan);
}
