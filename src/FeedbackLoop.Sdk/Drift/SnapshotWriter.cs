using System.Buffers;
using System.Buffers.Binary;

namespace FeedbackLoop.Drift;

/// <summary>Writes the payload of a <see cref="StateSnapshot"/>: parameters first, then state, little-endian.</summary>
internal sealed class SnapshotWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly string _kind;
    private readonly int _version;

    public SnapshotWriter(string kind, int version)
    {
        _kind = kind;
        _version = version;
    }

    public SnapshotWriter Write(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public SnapshotWriter Write(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public SnapshotWriter Write(int value) => Write((long)value);

    public SnapshotWriter Write(bool value) => Write(value ? 1L : 0L);

    public SnapshotWriter Write(ReadOnlySpan<double> values)
    {
        Write(values.Length);
        foreach (double value in values)
        {
            Write(value);
        }

        return this;
    }

    public SnapshotWriter Write(ReadOnlySpan<long> values)
    {
        Write(values.Length);
        foreach (long value in values)
        {
            Write(value);
        }

        return this;
    }

    public StateSnapshot ToSnapshot() => new(_kind, _version, _buffer.WrittenSpan.ToArray());
}
