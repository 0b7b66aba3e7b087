using System.Buffers;
using System.Text;
using System.Text.Json;

namespace FeedbackLoop.Registry;

/// <summary>
/// The JSON form in which a durable registry keeps a version's metrics and lineage: one object each, keys in ordinal
/// order, so that what is written reads back exactly — the same across the SQLite and PostgreSQL registries and for a
/// third party's.
/// </summary>
/// <remarks>
/// Finite doubles are written in their shortest round-trip form, so they read back bit for bit (also from a database
/// that keeps JSON numbers as decimals, such as PostgreSQL's <c>jsonb</c>). What JSON numbers cannot hold is written as a
/// string: NaN and the infinities as <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c> (the names
/// System.Text.Json's <c>AllowNamedFloatingPointLiterals</c> uses), and negative zero as <c>"-0"</c> (a decimal has no
/// sign of zero).
/// </remarks>
public static class RegistryJson
{
    /// <summary>Writes metrics as a JSON object.</summary>
    /// <param name="metrics">The metrics by name.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metrics"/> is <see langword="null"/>.</exception>
    public static string WriteMetrics(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return WriteObject(writer =>
        {
            foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                if (double.IsNaN(value))
                {
                    writer.WriteString(name, "NaN");
                }
                else if (double.IsInfinity(value))
                {
                    writer.WriteString(name, value > 0 ? "Infinity" : "-Infinity");
                }
                else if (value == 0 && double.IsNegative(value))
                {
                    writer.WriteString(name, "-0");
                }
                else
                {
                    writer.WriteNumber(name, value);
                }
            }
        });
    }

    /// <summary>Reads metrics written by <see cref="WriteMetrics"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The metrics by name.</returns>
    /// <exception cref="JsonException">The text is not a JSON object of numbers (or the strings above).</exception>
    public static Dictionary<string, double> ReadMetrics(string json)
    {
        using var document = ParseObject(json);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            metrics[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.Number => property.Value.GetDouble(),
                JsonValueKind.String => property.Value.GetString() switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    "-0" => -0.0,
                    var other => throw new JsonException($"Metric '{property.Name}' is the string '{other}', not a number."),
                },
                var kind => throw new JsonException($"Metric '{property.Name}' is a JSON {kind}, not a number."),
            };
        }

        return metrics;
    }

    /// <summary>Writes lineage as a JSON object of strings.</summary>
    /// <param name="lineage">The lineage entries.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="lineage"/> is <see langword="null"/>.</exception>
    public static string WriteLineage(IReadOnlyDictionary<string, string> lineage)
    {
        ArgumentNullException.ThrowIfNull(lineage);
        return WriteObject(writer =>
        {
            foreach (var (key, value) in lineage.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }
        });
    }

    /// <summary>Reads lineage written by <see cref="WriteLineage"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The lineage entries.</returns>
    /// <exception cref="JsonException">The text is not a JSON object of strings.</exception>
    public static Dictionary<string, string> ReadLineage(string json)
    {
        using var document = ParseObject(json);
        var lineage = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            lineage[property.Name] = property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null
                ? property.Value.GetString()!
                : throw new JsonException($"Lineage '{property.Name}' is a JSON {property.Value.ValueKind}, not a string.");
        }

        return lineage;
    }

    private static string WriteObject(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static JsonDocument ParseObject(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new JsonException($"The value is a JSON {kind}, not an object.");
        }

        return document;
    }
}
