using System.Globalization;
using System.Text;
using FeedbackLoop.Models;
using FeedbackLoop.Simulation;
using FeedbackLoop.Storage;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Storage;

/// <summary>The labelled window exported as CSV for training outside the process (IFeedbackLoop.ExportLabelledWindowAsync).</summary>
public sealed class LabelledWindowExportTests
{
    private static readonly FeatureSchema Mixed = FeatureSchema.CreateBuilder()
        .Numeric("amount", allowMissing: true).Categorical("note, free text", allowMissing: true).Numeric("age").Build();

    private readonly SimulatedClock _time = new();

    [Fact]
    public async Task Export_BinaryLoop_WritesTheDocumentedHeaderAndOneParsableRowPerLabelledPrediction()
    {
        await using var loop = Builder(Mixed).Build();
        var rows = new (double Amount, string? Note, double Age, bool Label)[]
        {
            (12.5, "plain", 30, true),
            (double.NaN, "has, comma and \"quotes\"", 41, false),
            (-1e-300, null, 0.1 + 0.2, true),
            (1e300, " padded ", 7, false),
            (3, "line\r\nbreak", 8, true),
        };
        var ids = new List<PredictionId>();
        foreach (var row in rows)
        {
            var prediction = Record(loop, FeatureVector.Create(Mixed, [row.Amount, row.Age], [row.Note]));
            ids.Add(prediction.Id);
            _time.Advance(TimeSpan.FromSeconds(1));
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, row.Label));
        }

        Record(loop, FeatureVector.Create(Mixed, [1, 2], ["never labelled"]));
        using var destination = new MemoryStream();

        var written = await loop.ExportLabelledWindowAsync(destination, null, CancellationToken.None);

        written.Should().Be(rows.Length, "the prediction without a label is not in the window");
        var bytes = destination.ToArray();
        bytes.Take(3).Should().NotEqual(Encoding.UTF8.GetPreamble(), "UTF-8 without a byte order mark");
        var records = ParseCsv(Encoding.UTF8.GetString(bytes));
        records[0].Should().Equal("prediction_id", "predicted_at", "model_version", "amount", "note, free text", "age", "label", "labelled_at");
        records.Should().HaveCount(rows.Length + 1);
        for (var i = 0; i < rows.Length; i++)
        {
            var record = records[i + 1];
            record[0].Should().Be(ids[i].ToString());
            DateTimeOffset.Parse(record[1], CultureInfo.InvariantCulture).Should().Be(_time.Start.AddSeconds(i));
            record[2].Should().Be("3");
            record[3].Should().Be(double.IsNaN(rows[i].Amount) ? string.Empty : rows[i].Amount.ToString("R", CultureInfo.InvariantCulture));
            (record[3].Length == 0 ? double.NaN : double.Parse(record[3], CultureInfo.InvariantCulture)).Should().Be(rows[i].Amount, "numbers round-trip");
            record[4].Should().Be(rows[i].Note ?? string.Empty);
            double.Parse(record[5], CultureInfo.InvariantCulture).Should().Be(rows[i].Age);
            record[6].Should().Be(rows[i].Label ? "1" : "0");
            DateTimeOffset.Parse(record[7], CultureInfo.InvariantCulture).Should().BeOnOrAfter(_time.Start.AddSeconds(i + 1), "the label came a second later");
        }

        Encoding.UTF8.GetString(bytes).Should().Contain("\r\n").And.EndWith("\r\n");
    }

    [Fact]
    public async Task Export_MulticlassAndRegressionLoops_WriteTheClassAndTheValue()
    {
        var classes = ModelTask.Multiclass("billing", "tech");
        await using var multiclass = Builder(Events.TwoNumbers).ForTask(classes).Build();
        await using var regression = Builder(Events.TwoNumbers).ForTask(ModelTask.Regression).Build();
        var ticket = Record(multiclass, Events.Vector(), PredictionOutput.Multiclass(classes, [0.25, 0.75]));
        multiclass.RecordFeedback(Feedback.GroundTruth(ticket.Id, Label.Categorical("billing")));
        var demand = Record(regression, Events.Vector(), PredictionOutput.Regression(3));
        regression.RecordFeedback(Feedback.GroundTruth(demand.Id, Label.Numeric(0.1 + 0.7)));

        var tickets = await ExportAsync(multiclass, null);
        var demands = await ExportAsync(regression, null);

        tickets[1][5].Should().Be("billing");
        demands[1][5].Should().Be((0.1 + 0.7).ToString("R", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Export_Query_SelectsTheNewestLabelledPredictions()
    {
        await using var loop = Builder(Events.TwoNumbers).Build();
        for (var i = 0; i < 10; i++)
        {
            var prediction = Record(loop, Events.Vector(i));
            loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, i % 2 == 0));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var newest = await ExportAsync(loop, new LabelledWindowQuery { MaxCount = 3 });

        newest.Skip(1).Select(r => r[3]).Should().Equal("7", "8", "9");
    }

    [Fact]
    public async Task Export_BadDestinationOrDisposedLoop_ThrowsTypedErrors()
    {
        var loop = Builder(Events.TwoNumbers).Build();
        using var readOnly = new MemoryStream([], writable: false);

        await loop.Invoking(l => l.ExportLabelledWindowAsync(null!, null, CancellationToken.None)).Should().ThrowAsync<ArgumentNullException>().WithParameterName("destination");
        await loop.Invoking(l => l.ExportLabelledWindowAsync(readOnly, null, CancellationToken.None))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("destination").WithMessage("*not writable*");
        await loop.DisposeAsync();
        await loop.Invoking(l => l.ExportLabelledWindowAsync(new MemoryStream(), null, CancellationToken.None)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Export_FeatureNamedLikeAnExportColumn_IsRefusedBeforeAnythingIsWritten()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("label").Build();
        await using var loop = Builder(schema).Build();
        using var destination = new MemoryStream();

        await loop.Invoking(l => l.ExportLabelledWindowAsync(destination, null, CancellationToken.None))
            .Should().ThrowAsync<InvalidOperationException>().WithMessage("The feature 'label' has the name of one of the export's own columns*");
        destination.Length.Should().Be(0);
    }

    [Fact]
    public async Task Export_Cancelled_ThrowsOperationCanceledException()
    {
        await using var loop = Builder(Events.TwoNumbers).Build();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await loop.Invoking(l => l.ExportLabelledWindowAsync(new MemoryStream(), null, cancellation.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    private FeedbackLoopBuilder Builder(FeatureSchema schema) => new FeedbackLoopBuilder("export").WithSchema(schema).UseTimeProvider(_time);

    private Prediction Record(IFeedbackLoop loop, FeatureVector features, PredictionOutput? output = null)
    {
        var prediction = new Prediction(PredictionId.New(), "export", "3", _time.GetUtcNow(), features, output ?? PredictionOutput.Binary(0.5));
        loop.RecordPrediction(prediction);
        return prediction;
    }

    private static async Task<List<string[]>> ExportAsync(IFeedbackLoop loop, LabelledWindowQuery? query)
    {
        using var destination = new MemoryStream();
        await loop.ExportLabelledWindowAsync(destination, query, CancellationToken.None);
        return ParseCsv(Encoding.UTF8.GetString(destination.ToArray()));
    }

    /// <summary>An RFC 4180 reader (quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF).</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        return records;
    }
}
