using System.Buffers.Binary;
using System.Text;

namespace FeedbackLoop.Tests.Onnx;

/// <summary>
/// The least of the protobuf wire format the tests need to write ONNX models without the onnx package: varints
/// (wire type 0), 64-bit (1), length-delimited (2) and 32-bit (5) fields, as in
/// https://protobuf.dev/programming-guides/encoding/. A message is a <see cref="ProtobufWriter"/> whose bytes become a
/// length-delimited field of its parent.
/// </summary>
internal sealed class ProtobufWriter
{
    private readonly List<byte> _buffer = [];

    public ProtobufWriter Varint(int field, long value)
    {
        Tag(field, 0);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtobufWriter Message(int field, ProtobufWriter message) => Bytes(field, message.ToArray());

    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _buffer.AddRange(value);
        return this;
    }

    /// <summary>A packed repeated float field: one length-delimited field of little-endian IEEE 754 singles.</summary>
    public ProtobufWriter PackedFloats(int field, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return Bytes(field, bytes);
    }

    /// <summary>A packed repeated int64 field: one length-delimited field of varints.</summary>
    public ProtobufWriter PackedInt64s(int field, ReadOnlySpan<long> values)
    {
        var inner = new ProtobufWriter();
        foreach (var value in values)
        {
            inner.WriteVarint(unchecked((ulong)value));
        }

        return Bytes(field, inner.ToArray());
    }

    /// <summary>A 32-bit float field (wire type 5).</summary>
    public ProtobufWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => _buffer.ToArray();

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.Add((byte)value);
    }
}
