using System.Globalization;
using System.Text;
using FeedbackLoop.Models;

namespace FeedbackLoop.Storage;

/// <summary>
/// Writes labelled examples as CSV for training outside the process (RFC 4180: comma-separated, CRLF line ends, UTF-8
/// without a byte order mark, a field quoted with doubled quotes when it holds a comma, a quote, CR, LF or a leading or
/// trailing space).
/// </summary>
/// <remarks>
/// The header names the columns: <c>prediction_id</c>, <c>predicted_at</c> (ISO 8601, UTC), <c>model_version</c>, then
/// one column per feature named as in the schema, in declaration order, then <c>label</c> and <c>labelled_at</c>. A
/// numeric value is written in round-trip form with the invariant culture; a missing value (NaN, or a null category) is
/// an empty field. The label is <c>1</c> or <c>0</c> for a binary task, the class for multiclass, the value (round-trip
/// form) for regression. A feature named like one of the five other columns would make the header ambiguous, so such a
/// schema is refused.
/// </remarks>
internal static class LabelledWindowCsv
{
    private static readonly string[] Reserved = ["prediction_id", "predicted_at", "model_version", "label", "labelled_at"];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the header and one row per example; returns the number of rows.</summary>
    /// <exception cref="InvalidOperationException">A feature has the name of one of the other columns.</exception>
    public static async Task<int> WriteAsync(
        IAsyncEnumerable<LabelledExample> examples, FeatureSchema schema, ModelTask task, Stream destination, CancellationToken cancellationToken)
    {
        if (schema.Features.FirstOrDefault(f => Reserved.Contains(f.Name, StringComparer.Ordinal)) is { } clash)
        {
            throw new InvalidOperationException(
                $"The feature '{clash.Name}' has the name of one of the export's own columns ({string.Join(", ", Reserved)}); the CSV header would be ambiguous.");
        }

        await using var writer = new StreamWriter(destination, Utf8, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        var line = new StringBuilder();
        Append(line, Reserved[0]).Append(',');
        Append(line, Reserved[1]).Append(',');
        Append(line, Reserved[2]);
        foreach (var feature in schema.Features)
        {
            Append(line.Append(','), feature.Name);
        }

        await writer.WriteLineAsync(line.Append(',').Append(Reserved[3]).Append(',').Append(Reserved[4]), cancellationToken).ConfigureAwait(false);
        var rows = 0;
        await foreach (var example in examples.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            line.Clear();
            var prediction = example.Prediction;
            line.Append(prediction.Id.ToString()).Append(',').Append(Time(prediction.Timestamp)).Append(',');
            Append(line, prediction.ModelVersion);
            var numeric = prediction.Features.Numeric;
            var categorical = prediction.Features.Categorical;
            foreach (var feature in schema.Features)
            {
                line.Append(',');
                if (feature.Kind == FeatureKind.Numeric)
                {
                    var value = numeric[feature.Ordinal];
                    if (!double.IsNaN(value))
                    {
                        line.Append(value.ToString("R", CultureInfo.InvariantCulture));
                    }
                }
                else if (categorical[feature.Ordinal] is { } category)
                {
                    Append(line, category);
                }
            }

            line.Append(',');
            _ = task.Kind switch
            {
                ModelTaskKind.Binary => line.Append(example.Label.AsBoolean() ? '1' : '0'),
                ModelTaskKind.Multiclass => Append(line, example.Label.AsCategory()),
                _ => line.Append(example.Label.AsDouble().ToString("R", CultureInfo.InvariantCulture)),
            };
            line.Append(',').Append(Time(example.LabelledAt));
            await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
            rows++;
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Appends a field, quoted (quotes doubled) when RFC 4180 needs it or a reader would trim its spaces.</summary>
    private static StringBuilder Append(StringBuilder line, string field)
    {
        var quote = field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (field.Length > 0 && (field[0] == ' ' || field[^1] == ' '));
        return quote ? line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"') : line.Append(field);
    }
}
