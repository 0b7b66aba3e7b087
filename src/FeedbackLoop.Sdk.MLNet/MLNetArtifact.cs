using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.MLNet;

/// <summary>
/// The artifact of an ML.NET model: ML.NET's own model file (<c>MLContext.Model.Save</c>, a zip) saved with its input
/// schema, the loop's feature columns. A multiclass model whose score slots follow another order than the loop's
/// declared classes carries one more entry, <c>FeedbackLoop/Classes.json</c> (the declared order as a JSON array of
/// strings), which ML.NET ignores; the file still loads in any ML.NET host.
/// </summary>
internal static class MLNetArtifact
{
    private const string ClassesEntry = "FeedbackLoop/Classes.json";

    public static byte[] Write(ITransformer model, DataViewSchema input, IReadOnlyList<string>? classOrder)
    {
        using var saved = new MemoryStream();
        new MLContext().Model.Save(model, input, saved);
        var bytes = saved.ToArray();
        return classOrder is null ? bytes : WithClasses(bytes, classOrder);
    }

    /// <summary>Adds (or replaces) the declared class order in a model file's bytes.</summary>
    public static byte[] WithClasses(byte[] file, IReadOnlyList<string> classOrder)
    {
        using var stream = new MemoryStream();
        stream.Write(file);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry(ClassesEntry)?.Delete();
            using var entry = zip.CreateEntry(ClassesEntry).Open();
            JsonSerializer.Serialize(entry, classOrder.ToArray());
        }

        return stream.ToArray();
    }

    /// <summary>Loads a model file and checks it against the loop's schema.</summary>
    /// <exception cref="FormatException">The file is corrupt, truncated or not an ML.NET model; it was saved without an input schema; its input schema does not fit the loop's (the message names the column); or its output is not one the loop can serve.</exception>
    public static MLNetModel Read(Stream artifact, FeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(schema);
        using var stream = new MemoryStream();
        artifact.CopyTo(stream);
        stream.Position = 0;
        ITransformer model;
        DataViewSchema? saved;
        string[]? classOrder;
#pragma warning disable CA1031 // ML.NET reports a damaged file with many exception types; each is a FormatException to the loop.
        try
        {
            classOrder = ReadClasses(stream);
            stream.Position = 0;
            model = new MLContext().Model.Load(stream, out saved);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            throw new FormatException($"The artifact is not a readable ML.NET model file (corrupt, truncated or of another format): {exception.Message}", exception);
        }
#pragma warning restore CA1031

        CheckInput(saved, schema);
        var columns = MLNetColumns.For(schema, saved);
        var output = Output(model, columns, classOrder);
#pragma warning disable CA1031 // Binding a loaded model's scoring engine (GetRow, getters) runs its transforms' code: any failure is a model that cannot serve.
        try
        {
            return new MLNetModel(model, columns, output);
        }
        catch (Exception exception) when (exception is not (FormatException or OutOfMemoryException or OperationCanceledException))
        {
            throw new FormatException($"The model cannot score the loop's features [{columns.Schema}]: {exception.Message}", exception);
        }
#pragma warning restore CA1031
    }

    /// <summary>
    /// Reads a model's output layout on the loop's columns, and checks that its score reads no input but the loop's
    /// features (a column of its saved input schema that is not a feature may be present — a label its pipeline keys —
    /// but not read by the score: ML.NET's <c>GetDependencies</c> says which inputs the outputs need).
    /// </summary>
    /// <exception cref="FormatException">The model cannot score the loop's columns, its score reads a column that is not a feature, or its output is not one the loop serves.</exception>
    internal static ModelOutput Output(ITransformer model, MLNetColumns columns, IReadOnlyList<string>? classOrder)
    {
        IRowToRowMapper mapper;
#pragma warning disable CA1031 // Any failure to bind the model to the loop's columns is a model that does not fit the schema.
        try
        {
            mapper = model.GetRowToRowMapper(columns.Input);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            throw new FormatException($"The model cannot score the loop's features [{columns.Schema}]: {exception.Message}", exception);
        }
#pragma warning restore CA1031

        ModelOutput output;
        DataViewSchema.Column? read;
#pragma warning disable CA1031 // A damaged model's schema or dependencies can fail with any exception; the contract is a FormatException.
        try
        {
            output = ModelOutput.Of(mapper.OutputSchema, columns.Input, classOrder);
            var outputs = new[] { ModelOutput.Score, ModelOutput.Probability, ModelOutput.PredictedLabel }
                .Select(name => ModelOutput.Find(mapper.OutputSchema, columns.Input, name)).OfType<DataViewSchema.Column>();
            read = mapper.GetDependencies(outputs).FirstOrDefault(c => c.Index >= columns.FeatureCount) is { Name: not null } column ? column : null;
        }
        catch (Exception exception) when (exception is not (FormatException or OutOfMemoryException or OperationCanceledException))
        {
            throw new FormatException($"The model's output cannot be read on the loop's features [{columns.Schema}]: {exception.Message}", exception);
        }
#pragma warning restore CA1031

        if (read is { } dependency)
        {
            throw new FormatException(
                $"The model's score reads the input column '{dependency.Name}', which is not a feature of the loop's schema [{columns.Schema}]; it cannot score the loop's inputs.");
        }

        return output;
    }

    private static string[]? ReadClasses(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        if (zip.GetEntry(ClassesEntry) is not { } entry)
        {
            return null;
        }

        using var content = entry.Open();
        return JsonSerializer.Deserialize<string[]>(content) ?? throw new FormatException($"The entry {ClassesEntry} is empty.");
    }

    /// <summary>Checks that the saved input schema has every feature's column, named exactly as the feature, of the type the loop feeds.</summary>
    private static void CheckInput(DataViewSchema? saved, FeatureSchema schema)
    {
        if (saved is null)
        {
            throw new FormatException("The ML.NET model file was saved without its input schema; save it with MLContext.Model.Save(model, inputSchema, ...) so the loop can check it against its features.");
        }

        foreach (var feature in schema.Features)
        {
            var numeric = feature.Kind == FeatureKind.Numeric;
            if (saved.GetColumnOrNull(feature.Name) is not { } column)
            {
                var near = saved.FirstOrDefault(c => string.Equals(c.Name, feature.Name, StringComparison.OrdinalIgnoreCase));
                var nearly = near.Name is null ? string.Empty : $" (it has '{near.Name}'; names are compared exactly)";
                throw new FormatException(
                    $"The model's input schema has no column '{feature.Name}' for the loop's {(numeric ? "numeric" : "categorical")} feature '{feature.Name}'{nearly}; its input columns are {string.Join(", ", saved.Select(c => $"'{c.Name}'"))}.");
            }

            var expected = numeric ? (Microsoft.ML.Data.DataViewType)Microsoft.ML.Data.NumberDataViewType.Single : Microsoft.ML.Data.TextDataViewType.Instance;
            if (!column.Type.Equals(expected))
            {
                throw new FormatException(
                    $"The model's input column '{feature.Name}' is {column.Type}; the loop gives its {(numeric ? "numeric" : "categorical")} feature '{feature.Name}' to ML.NET as {expected}.");
            }
        }
    }
}
