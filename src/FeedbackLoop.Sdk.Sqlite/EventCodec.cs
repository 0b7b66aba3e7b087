using System.Buffers.Binary;
using System.Text;

namespace FeedbackLoop.Sqlite;

/// <summary>
/// The binary form of the values the event tables keep as blobs: labels, outputs, feature vectors and segment tags,
/// little-endian, strings as a length and UTF-8 bytes (length −1 for a missing value). Doubles are stored bit for bit,
/// so a value reads back exactly. Values are encoded into a <see cref="Writer"/> the caller keeps and reuses, so that
/// the ingest path does not allocate per event; the span returned is valid until the writer's next use.
/// </summary>
internal static class EventCodec
{
    public static ReadOnlySpan<byte> Encode(Writer writer, Label label)
    {
        writer.Clear();
        writer.Label(label);
        return writer.Written;
    }

    public static Label DecodeLabel(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        return reader.Label();
    }

    public static ReadOnlySpan<byte> Encode(Writer writer, PredictionOutput output)
    {
        writer.Clear();
        writer.Label(output.Label);
        writer.Double(output.Score);
        var values = output.Values;
        writer.Int(values.Length);
        foreach (var p in values)
        {
            writer.Double(p);
        }

        return writer.Written;
    }

    public static PredictionOutput DecodeOutput(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        var label = reader.Label();
        var score = reader.Double();
        var probabilities = new double[reader.Count()];
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = reader.Double();
        }

        return PredictionOutput.Restore(label, score, probabilities);
    }

    public static ReadOnlySpan<byte> Encode(Writer writer, FeatureVector features)
    {
        writer.Clear();
        foreach (var value in features.Numeric)
        {
            writer.Double(value);
        }

        foreach (var value in features.Categorical)
        {
            writer.String(value);
        }

        return writer.Written;
    }

    public static FeatureVector DecodeFeatures(FeatureSchema schema, ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        var numeric = new double[schema.NumericCount];
        for (var i = 0; i < numeric.Length; i++)
        {
            numeric[i] = reader.Double();
        }

        var categorical = new string?[schema.CategoricalCount];
        for (var i = 0; i < categorical.Length; i++)
        {
            categorical[i] = reader.String();
        }

        reader.End();
        return FeatureVector.Create(schema, numeric, categorical);
    }

    /// <summary>Encodes segment tags; an empty span for none (stored as NULL).</summary>
    public static ReadOnlySpan<byte> Encode(Writer writer, IReadOnlyDictionary<string, string>? segments)
    {
        writer.Clear();
        if (segments is null || segments.Count == 0)
        {
            return writer.Written;
        }

        writer.Int(segments.Count);
        foreach (var (key, value) in segments)
        {
            writer.String(key);
            writer.String(value);
        }

        return writer.Written;
    }

    /// <summary>Decodes segment tags; <see langword="null"/> for an empty span (none stored).</summary>
    public static Dictionary<string, string>? DecodeSegments(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return null;
        }

        var reader = new Reader(bytes);
        var count = reader.Count();
        var segments = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            segments[reader.String() ?? string.Empty] = reader.String() ?? string.Empty;
        }

        return segments;
    }

    /// <summary>A growable buffer the encoders write into; one per writer connection, reused for every value.</summary>
    internal sealed class Writer
    {
        private byte[] _buffer = new byte[64];
        private int _length;

        public void Label(Label label)
        {
            Byte((byte)label.Kind);
            switch (label.Kind)
            {
                case LabelKind.Binary:
                case LabelKind.Numeric:
                    Double(label.AsDouble());
                    break;
                case LabelKind.Categorical:
                    String(label.AsCategory());
                    break;
            }
        }

        public void Byte(byte value) => Reserve(1)[0] = value;

        public void Int(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

        public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

        public void String(string? value)
        {
            if (value is null)
            {
                Int(-1);
                return;
            }

            var count = Encoding.UTF8.GetByteCount(value);
            Int(count);
            Encoding.UTF8.GetBytes(value, Reserve(count));
        }

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

        public void Clear() => _length = 0;

        private Span<byte> Reserve(int count)
        {
            if (_length + count > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
            }

            var span = _buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public Label Label()
        {
            var kind = (LabelKind)Take(1)[0];
            return kind switch
            {
                LabelKind.None => default,
                LabelKind.Binary => FeedbackLoop.Label.Binary(Double() != 0.0),
                LabelKind.Numeric => FeedbackLoop.Label.Numeric(Double()),
                LabelKind.Categorical => FeedbackLoop.Label.Categorical(String() ?? throw Corrupt("a category is missing")),
                _ => throw Corrupt($"label kind {(int)kind} is not defined"),
            };
        }

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public int Count()
        {
            var count = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
            return count >= 0 && count <= _bytes.Length ? count : throw Corrupt($"a count of {count} is out of range");
        }

        public string? String()
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
            return length == -1 ? null : Encoding.UTF8.GetString(Take(length));
        }

        /// <summary>Checks that every byte was read: a vector of another schema is refused, not misread.</summary>
        public readonly void End()
        {
            if (_position != _bytes.Length)
            {
                throw Corrupt($"{_bytes.Length - _position} bytes are left over (a vector of another schema?)");
            }
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _position + count > _bytes.Length)
            {
                throw Corrupt("a value runs past the end of its blob");
            }

            var span = _bytes.Slice(_position, count);
            _position += count;
            return span;
        }

        private static InvalidDataException Corrupt(string what) => new($"A stored event value is corrupt: {what}.");
    }
}
