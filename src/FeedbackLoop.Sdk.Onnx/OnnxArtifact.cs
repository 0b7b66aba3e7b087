using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using FeedbackLoop.Models;

namespace FeedbackLoop.Onnx;

/// <summary>
/// The artifact of an ONNX model: the mapping and the model's bytes, framed so that a registry's copy restores the
/// predictor alone. Little-endian, version 1:
/// <code>
/// "FLONNX"  uint16 version = 1
/// uint32 M  M bytes: the mapping, UTF-8 JSON (task, classes, layout, input names, output, model classes, positive column, schema fingerprint and text)
/// uint64 L  L bytes: the ONNX ModelProto, unchanged
/// 32 bytes: SHA-256 of everything before it
/// </code>
/// The registry checks its own SHA-256 of the whole artifact; the frame's own hash makes a copy that was truncated or
/// changed outside the registry fail here, as a <see cref="InvalidOnnxModelException"/>, before ONNX Runtime parses it.
/// </summary>
internal static class OnnxArtifact
{
    public const ushort Version = 1;

    private const int HashLength = 32;
    private static readonly byte[] Magic = "FLONNX"u8.ToArray();

    public static byte[] Write(OnnxMapping mapping, ReadOnlySpan<byte> model)
    {
        var json = WriteMapping(mapping);
        var length = Magic.Length + 2 + 4 + json.Length + 8 + model.Length + HashLength;
        var artifact = new byte[length];
        var span = artifact.AsSpan();
        Magic.CopyTo(span);
        var at = Magic.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at += 2)..], (uint)json.Length);
        json.CopyTo(span[(at += 4)..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[(at += json.Length)..], (ulong)model.Length);
        model.CopyTo(span[(at += 8)..]);
        at += model.Length;
        SHA256.HashData(span[..at], span[at..]);
        return artifact;
    }

    /// <summary>Reads an artifact; the model's bytes are a slice of <paramref name="artifact"/>.</summary>
    /// <exception cref="InvalidOnnxModelException">Not an ONNX artifact of this library, another version, truncated, or changed.</exception>
    public static (OnnxMapping Mapping, ReadOnlyMemory<byte> Model) Read(ReadOnlyMemory<byte> artifact)
    {
        var span = artifact.Span;
        if (span.Length < Magic.Length + 2 || !span[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidOnnxModelException("The artifact is not a FeedbackLoop ONNX model (no 'FLONNX' header); it was made by another trainer, or is corrupt.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(span[Magic.Length..]);
        if (version != Version)
        {
            throw new InvalidOnnxModelException($"The ONNX artifact has format version {version}; this library reads version {Version}.");
        }

        var at = Magic.Length + 2;
        var jsonLength = ReadLength(span, ref at, 4);
        var json = artifact.Slice(at, jsonLength);
        at += jsonLength;
        var modelLength = ReadLength(span, ref at, 8);
        var model = artifact.Slice(at, modelLength);
        at += modelLength;
        if (span.Length != at + HashLength)
        {
            throw new InvalidOnnxModelException($"The ONNX artifact is {span.Length} bytes, but its frame says {at + HashLength}: it is truncated or has trailing bytes.");
        }

        Span<byte> hash = stackalloc byte[HashLength];
        SHA256.HashData(span[..at], hash);
        if (!hash.SequenceEqual(span[at..]))
        {
            throw new InvalidOnnxModelException("The ONNX artifact's SHA-256 does not match its content: it was changed or corrupted.");
        }

        return (ReadMapping(json.Span), model);
    }

    private static int ReadLength(ReadOnlySpan<byte> span, ref int at, int size)
    {
        if (span.Length - at < size)
        {
            throw new InvalidOnnxModelException("The ONNX artifact is truncated.");
        }

        var length = size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(span[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(span[at..]);
        at += size;
        return length <= (ulong)(span.Length - at)
            ? (int)length
            : throw new InvalidOnnxModelException($"The ONNX artifact is truncated: a section of {length} bytes, {span.Length - at} left.");
    }

    private static byte[] WriteMapping(OnnxMapping mapping)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("task", mapping.Task.Kind.ToString());
            WriteArray(json, "classes", mapping.Task.Classes);
            json.WriteString("layout", mapping.Layout.ToString());
            WriteArray(json, "inputs", mapping.InputNames);
            json.WriteString("output", mapping.Output);
            WriteArray(json, "modelClasses", mapping.ModelClasses);
            json.WriteNumber("positiveClassColumn", mapping.PositiveClassColumn);
            json.WriteString("schemaFingerprint", mapping.SchemaFingerprint);
            json.WriteString("schema", mapping.Schema);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static OnnxMapping ReadMapping(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var kind = Name<ModelTaskKind>(root, "task");
            var task = kind switch
            {
                ModelTaskKind.Binary => ModelTask.Binary,
                ModelTaskKind.Regression => ModelTask.Regression,
                _ => ModelTask.Multiclass(Strings(root, "classes")),
            };
            return new OnnxMapping(
                task,
                Name<OnnxInputLayout>(root, "layout"),
                Strings(root, "inputs"),
                Text(root, "output"),
                Strings(root, "modelClasses"),
                root.GetProperty("positiveClassColumn").GetInt32(),
                Text(root, "schemaFingerprint"),
                Text(root, "schema"));
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException
            or FormatException and not InvalidOnnxModelException)
        {
            throw new InvalidOnnxModelException($"The ONNX artifact's mapping cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>An enum value written by its name; <see cref="Enum.Parse{TEnum}(string)"/> alone would also take numbers ("7"), lists and other casing.</summary>
    private static TEnum Name<TEnum>(JsonElement root, string name)
        where TEnum : struct, Enum
    {
        var text = Text(root, name);
        return Enum.GetNames<TEnum>().Contains(text, StringComparer.Ordinal)
            ? Enum.Parse<TEnum>(text)
            : throw new InvalidOnnxModelException($"The ONNX artifact's '{name}' is '{text}', not one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    private static string Text(JsonElement root, string name) =>
        root.GetProperty(name).GetString() ?? throw new InvalidOnnxModelException($"The ONNX artifact's '{name}' is null.");

    private static string[] Strings(JsonElement root, string name) =>
        [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? throw new InvalidOnnxModelException($"The ONNX artifact's '{name}' holds a null."))];
}
