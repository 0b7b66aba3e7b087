using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FeedbackLoop.Learning;

/// <summary>
/// The binary artifact layout the built-in linear learners share: a frame (magic, format version, SHA-256), the feature
/// encoding, and the model's own parameters. All integers and doubles are little-endian (int32 and IEEE 754 float64); a
/// string is an int32 byte count followed by that many UTF-8 bytes.
/// <code>
/// bytes 0-3   magic (ASCII, one per model kind)
/// int32       format version
/// int32       feature count F, then F times: string name, byte kind (0 numeric, 1 categorical)   -- schema declaration order
/// per numeric feature (by ordinal): float64 mean, float64 scale (finite, > 0),
///             float64 lower fence, float64 upper fence (lower &lt;= upper, not NaN; -inf / +inf for no fence)
/// per categorical feature (by ordinal): int32 category count K, then K strings in strictly increasing ordinal order
/// ...         the model's parameters (see each model)
/// 32 bytes    SHA-256 of every byte before it
/// </code>
/// </summary>
internal sealed class LinearModelArtifact
{
    private const int HashLength = 32;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _modelName;
    private readonly byte[] _magic;
    private readonly int _version;
    private readonly int? _versionWithoutFences;

    /// <param name="modelName">The model's name in error messages, for example "logistic regression".</param>
    /// <param name="magic">The four ASCII magic bytes.</param>
    /// <param name="version">The format version written (and read).</param>
    /// <param name="versionWithoutFences">An older version that is also read, whose numeric features have no fences; null for none.</param>
    public LinearModelArtifact(string modelName, string magic, int version, int? versionWithoutFences = null)
    {
        _modelName = modelName;
        _magic = Encoding.ASCII.GetBytes(magic);
        _version = version;
        _versionWithoutFences = versionWithoutFences;
    }

    /// <summary>Writes the frame and the encoding, the model's parameters by <paramref name="writeModel"/>, then the hash.</summary>
    public byte[] Write(FeatureEncoding encoding, Action<BinaryWriter> writeModel)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, StrictUtf8, leaveOpen: true))
        {
            writer.Write(_magic);
            writer.Write(_version);
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

            writeModel(writer);
        }

        var body = stream.ToArray();
        var artifact = new byte[body.Length + HashLength];
        body.CopyTo(artifact, 0);
        SHA256.HashData(body, artifact.AsSpan(body.Length));
        return artifact;
    }

    /// <summary>Checks the frame, reads the encoding for <paramref name="schema"/>, then the model's parameters by <paramref name="readModel"/>.</summary>
    /// <exception cref="FormatException">The artifact is not a valid artifact of this model kind and version for <paramref name="schema"/>; the message says why.</exception>
    public T Read<T>(ReadOnlySpan<byte> artifact, FeatureSchema schema, Func<Reader, T> readModel)
    {
        var magic = Encoding.ASCII.GetString(_magic);
        if (artifact.Length < _magic.Length + sizeof(int) + HashLength)
        {
            throw Invalid($"it is only {artifact.Length} bytes long (truncated or empty)");
        }

        if (!artifact[.._magic.Length].SequenceEqual(_magic))
        {
            throw Invalid($"it does not start with the magic bytes \"{magic}\"; it is not a {_modelName} artifact");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(artifact.Slice(_magic.Length, sizeof(int)));
        if (version != _version && version != _versionWithoutFences)
        {
            throw Invalid(string.Create(
                CultureInfo.InvariantCulture,
                $"its format version is {version}; this reader supports {(_versionWithoutFences is { } old ? $"versions {old} and {_version}" : $"version {_version}")}"));
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
            using var binary = new BinaryReader(stream, StrictUtf8);
            stream.Position = _magic.Length + sizeof(int);
            var reader = new Reader(this, binary, stream);
            reader.ReadEncoding(schema, hasFences: version != _versionWithoutFences);
            var model = readModel(reader);
            if (stream.Position != stream.Length)
            {
                throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{stream.Length - stream.Position} unexpected bytes follow the model"));
            }

            return model;
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException($"The {_modelName} artifact is invalid: it ends before the model does (truncated).", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"The {_modelName} artifact is invalid: a string is not valid UTF-8.", e);
        }
    }

    /// <summary>A <see cref="FormatException"/> that says this model's artifact is invalid and why.</summary>
    public FormatException Invalid(string reason) => new($"The {_modelName} artifact is invalid: {reason}.");

    /// <summary>Writes a string as an int32 byte count and its UTF-8 bytes.</summary>
    public static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = StrictUtf8.GetBytes(value);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Reads an artifact's parts, checking counts against the bytes left.</summary>
    internal sealed class Reader(LinearModelArtifact format, BinaryReader reader, MemoryStream stream)
    {
        /// <summary>Gets the feature encoding, read before the model's parameters.</summary>
        public FeatureEncoding Encoding { get; private set; } = null!;

        public double ReadDouble() => reader.ReadDouble();

        public byte ReadByte() => reader.ReadByte();

        /// <summary>Reads an int32 count of items of <paramref name="bytesPerItem"/> bytes at least, refusing one the remaining bytes cannot hold.</summary>
        public int ReadCount(string what, int bytesPerItem)
        {
            var count = reader.ReadInt32();
            var remaining = stream.Length - stream.Position;
            if (count < 0 || (long)count * bytesPerItem > remaining)
            {
                throw Invalid(string.Create(CultureInfo.InvariantCulture, $"its {what} {count} does not fit the {remaining} remaining bytes (corrupt or truncated)"));
            }

            return count;
        }

        public string ReadString()
        {
            var length = ReadCount("string length", bytesPerItem: 1);
            return StrictUtf8.GetString(reader.ReadBytes(length));
        }

        /// <summary>Reads an int32 weight count, which must be the encoding's column count, and that many doubles.</summary>
        public double[] ReadWeights() => ReadDoubles(ReadColumnCount());

        /// <summary>Reads an int32 weight count, which must be the encoding's column count.</summary>
        public int ReadColumnCount()
        {
            var count = ReadCount("weight count", bytesPerItem: sizeof(double));
            return count == Encoding.ColumnCount
                ? count
                : throw Invalid(string.Create(CultureInfo.InvariantCulture, $"it holds {count} weights but its features encode to {Encoding.ColumnCount} columns"));
        }

        public double[] ReadDoubles(int count)
        {
            var values = new double[count];
            for (var k = 0; k < values.Length; k++)
            {
                values[k] = reader.ReadDouble();
            }

            return values;
        }

        public FormatException Invalid(string reason) => format.Invalid(reason);

        internal void ReadEncoding(FeatureSchema schema, bool hasFences)
        {
            var featureCount = ReadCount("feature count", bytesPerItem: sizeof(int) + 1);
            var names = new string[featureCount];
            var kinds = new FeatureKind[featureCount];
            for (var i = 0; i < featureCount; i++)
            {
                names[i] = ReadString();
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
            for (var j = 0; j < categories.Length; j++)
            {
                var count = ReadCount($"category count of '{categoricalNames[j]}'", bytesPerItem: sizeof(int));
                var list = new string[count];
                for (var c = 0; c < count; c++)
                {
                    list[c] = ReadString();
                    if (c > 0 && string.CompareOrdinal(list[c - 1], list[c]) >= 0)
                    {
                        throw Invalid($"the categories of '{categoricalNames[j]}' are not distinct and in ordinal order");
                    }
                }

                categories[j] = list;
            }

            Encoding = new FeatureEncoding(schema, means, scales, lowerFences, upperFences, categories);
        }

        private void CheckSchema(string[] names, FeatureKind[] kinds, FeatureSchema schema)
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
    }
}
