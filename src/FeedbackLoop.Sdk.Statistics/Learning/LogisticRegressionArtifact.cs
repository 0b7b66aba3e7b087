using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FeedbackLoop.Learning;

/// <summary>
/// Writes the logistic regression artifact, binary format version 2, and reads versions 2 and 1. All integers and doubles
/// are little-endian (int32 and IEEE 754 float64); a string is an int32 byte count followed by that many UTF-8 bytes.
/// <code>
/// bytes 0-3   magic "FLLR" (ASCII)
/// int32       format version (2)
/// int32       feature count F, then F times: string name, byte kind (0 numeric, 1 categorical)   -- schema declaration order
/// per numeric feature (by ordinal): float64 mean, float64 scale (finite, > 0),
///             float64 lower fence, float64 upper fence (lower &lt;= upper, not NaN; -inf / +inf for no fence)
/// per categorical feature (by ordinal): int32 category count K, then K strings in strictly increasing ordinal order
/// int32       weight count D (= numeric count + sum of K), then D float64 weights (column order of LogisticRegressionModel)
/// float64     intercept
/// float64     threshold (in [0, 1])
/// 32 bytes    SHA-256 of every byte before it
/// </code>
/// Version 1 is the same without the two fences; it reads as a model with no fences (-inf, +inf), which clips nothing.
/// </summary>
internal static class LogisticRegressionArtifact
{
    internal const int FormatVersion = 2;

    /// <summary>The version written before the winsorising fences existed: no fences, and read as such.</summary>
    internal const int FormatVersionWithoutFences = 1;

    private const int HashLength = 32;
    private static readonly byte[] Magic = "FLLR"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Write(LogisticRegressionModel model)
    {
        var encoding = model.Encoding;
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, StrictUtf8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            var features = encoding.Schema.Features;
            writer.Write(features.Count);
            foreach (var feature in features)
            {
                WriteString(writer, feature.Name);
                writer.Write(feature.Kind == FeatureKind.Numeric ? (byte)0 : (byte)1);
            }

            for (var k = 0; k < encoding.Means.Length; k++)
            {
                writer.Write(encoding.Means[k]);
                writer.Write(encoding.Scales[k]);
                writer.Write(encoding.LowerFences[k]);
                writer.Write(encoding.UpperFences[k]);
            }

            foreach (var categories in encoding.Categories)
            {
                writer.Write(categories.Count);
                foreach (var category in categories)
                {
                    WriteString(writer, category);
                }
            }

            var weights = model.WeightSpan;
            writer.Write(weights.Length);
            foreach (var w in weights)
            {
                writer.Write(w);
            }

            writer.Write(model.Intercept);
            writer.Write(model.Threshold);
        }

        var body = stream.ToArray();
        var artifact = new byte[body.Length + HashLength];
        body.CopyTo(artifact, 0);
        SHA256.HashData(body, artifact.AsSpan(body.Length));
        return artifact;
    }

    /// <exception cref="FormatException">The artifact is not a valid version-2 or version-1 artifact for <paramref name="schema"/>.</exception>
    public static LogisticRegressionModel Read(ReadOnlySpan<byte> artifact, FeatureSchema schema)
    {
        if (artifact.Length < Magic.Length + sizeof(int) + HashLength)
        {
            throw Invalid($"it is only {artifact.Length} bytes long (truncated or empty)");
        }

        if (!artifact[..Magic.Length].SequenceEqual(Magic))
        {
            throw Invalid("it does not start with the magic bytes \"FLLR\"; it is not a logistic regression artifact");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(artifact.Slice(Magic.Length, sizeof(int)));
        if (version != FormatVersion && version != FormatVersionWithoutFences)
        {
            throw Invalid(string.Create(
                CultureInfo.InvariantCulture,
                $"its format version is {version}; this reader supports versions {FormatVersionWithoutFences} and {FormatVersion}"));
        }

        var body = artifact[..^HashLength];
        Span<byte> hash = stackalloc byte[HashLength];
        SHA256.HashData(body, hash);
        if (!hash.SequenceEqual(artifact[^HashLength..]))
        {
            throw Invalid("its SHA-256 checksum does not match its content (corrupt or truncated)");
        }

        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = new BinaryReader(stream, StrictUtf8);
            stream.Position = Magic.Length + sizeof(int);
            var model = ReadBody(reader, stream, schema, hasFences: version != FormatVersionWithoutFences);
            if (stream.Position != stream.Length)
            {
                throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{stream.Length - stream.Position} unexpected bytes follow the model"));
            }

            return model;
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("The logistic regression artifact is invalid: it ends before the model does (truncated).", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("The logistic regression artifact is invalid: a string is not valid UTF-8.", e);
        }
    }

    private static LogisticRegressionModel ReadBody(BinaryReader reader, MemoryStream stream, FeatureSchema schema, bool hasFences)
    {
        var featureCount = ReadCount(reader, stream, "feature count", bytesPerItem: sizeof(int) + 1);
        var names = new string[featureCount];
        var kinds = new FeatureKind[featureCount];
        for (var i = 0; i < featureCount; i++)
        {
            names[i] = ReadString(reader, stream);
            kinds[i] = reader.ReadByte() switch
            {
                0 => FeatureKind.Numeric,
                1 => FeatureKind.Categorical,
                var b => throw Invalid(string.Create(CultureInfo.InvariantCulture, $"feature {i} has the unknown kind code {b}")),
            };
        }

        CheckSchema(names, kinds, schema);

        var means = new double[schema.NumericCount];
        var scales = new double[schema.NumericCount];
        var lowerFences = new double[schema.NumericCount];
        var upperFences = new double[schema.NumericCount];
        var numericNames = schema.NumericFeatures.Select(f => f.Name).ToArray();
        for (var k = 0; k < means.Length; k++)
        {
            means[k] = reader.ReadDouble();
            scales[k] = reader.ReadDouble();
            if (!double.IsFinite(means[k]) || !double.IsFinite(scales[k]) || scales[k] <= 0.0)
            {
                throw Invalid(string.Create(
                    CultureInfo.InvariantCulture,
                    $"numeric feature '{numericNames[k]}' has mean {means[k]} and scale {scales[k]}; both must be finite and the scale positive"));
            }

            (lowerFences[k], upperFences[k]) = hasFences
                ? (reader.ReadDouble(), reader.ReadDouble())
                : (double.NegativeInfinity, double.PositiveInfinity);

            if (!(lowerFences[k] <= upperFences[k]) || double.IsPositiveInfinity(lowerFences[k]) || double.IsNegativeInfinity(upperFences[k]))
            {
                throw Invalid(string.Create(
                    CultureInfo.InvariantCulture,
                    $"numeric feature '{numericNames[k]}' has the fences [{lowerFences[k]}, {upperFences[k]}]; they must be ordered, with no NaN, and only -inf below or +inf above"));
            }
        }

        var categoricalNames = schema.CategoricalFeatures.Select(f => f.Name).ToArray();
        var categories = new string[schema.CategoricalCount][];
        var columns = (long)means.Length;
        for (var j = 0; j < categories.Length; j++)
        {
            var count = ReadCount(reader, stream, $"category count of '{categoricalNames[j]}'", bytesPerItem: sizeof(int));
            var list = new string[count];
            for (var c = 0; c < count; c++)
            {
                list[c] = ReadString(reader, stream);
                if (c > 0 && string.CompareOrdinal(list[c - 1], list[c]) >= 0)
                {
                    throw Invalid($"the categories of '{categoricalNames[j]}' are not distinct and in ordinal order");
                }
            }

            categories[j] = list;
            columns += count;
        }

        var weightCount = ReadCount(reader, stream, "weight count", bytesPerItem: sizeof(double));
        if (weightCount != columns)
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"it holds {weightCount} weights but its features encode to {columns} columns"));
        }

        var weights = new double[weightCount];
        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] = reader.ReadDouble();
        }

        var intercept = reader.ReadDouble();
        var threshold = reader.ReadDouble();
        if (!weights.All(double.IsFinite) || !double.IsFinite(intercept))
        {
            throw Invalid("a weight or the intercept is not finite");
        }

        if (!(threshold >= 0.0 && threshold <= 1.0))
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"its threshold {threshold} is outside [0, 1]"));
        }

        return new LogisticRegressionModel(
            new FeatureEncoding(schema, means, scales, lowerFences, upperFences, categories), weights, intercept, threshold);
    }

    private static void CheckSchema(string[] names, FeatureKind[] kinds, FeatureSchema schema)
    {
        var expected = schema.Features;
        var trained = string.Join(", ", names.Zip(kinds, (n, k) => $"{n}:{k}"));
        var given = string.Join(", ", expected.Select(f => $"{f.Name}:{f.Kind}"));
        if (names.Length != expected.Count)
        {
            throw Invalid($"it was trained on {names.Length} features [{trained}] but the schema has {expected.Count} [{given}]");
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (!string.Equals(names[i], expected[i].Name, StringComparison.Ordinal) || kinds[i] != expected[i].Kind)
            {
                throw Invalid(string.Create(
                    CultureInfo.InvariantCulture,
                    $"feature {i} is '{names[i]}' ({kinds[i]}) in the artifact but '{expected[i].Name}' ({expected[i].Kind}) in the schema; trained on [{trained}], given [{given}]"));
            }
        }
    }

    private static int ReadCount(BinaryReader reader, MemoryStream stream, string what, int bytesPerItem)
    {
        var count = reader.ReadInt32();
        var remaining = stream.Length - stream.Position;
        if (count < 0 || (long)count * bytesPerItem > remaining)
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"its {what} {count} does not fit the {remaining} remaining bytes (corrupt or truncated)"));
        }

        return count;
    }

    private static string ReadString(BinaryReader reader, MemoryStream stream)
    {
        var length = ReadCount(reader, stream, "string length", bytesPerItem: 1);
        return StrictUtf8.GetString(reader.ReadBytes(length));
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = StrictUtf8.GetBytes(value);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static FormatException Invalid(string reason) => new($"The logistic regression artifact is invalid: {reason}.");
}
