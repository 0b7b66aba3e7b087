using FeedbackLoop.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.MLNet;

/// <summary>
/// What an ML.NET model's output schema says about its task, read the way ML.NET's scorers lay it out: a <c>Score</c>
/// vector with slot names (the classes) for multiclass; a <c>PredictedLabel</c> Boolean and a <c>Score</c> (and, when
/// calibrated, a <c>Probability</c>) for binary; a <c>Score</c> alone for regression.
/// </summary>
internal sealed record ModelOutput(ModelTask Task, bool HasProbability, string[]? SlotClasses)
{
    public const string Score = "Score";
    public const string Probability = "Probability";
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>Reads the task from a model's output schema.</summary>
    /// <param name="output">The schema.</param>
    /// <param name="input">The input schema the model was bound to: its columns pass through to <paramref name="output"/> and are not the model's.</param>
    /// <param name="classOrder">The declared class order, when it differs from the score slots' (see <see cref="MLNetArtifact"/>).</param>
    /// <exception cref="FormatException">The schema is not the output of an ML.NET classifier or regressor the loop can serve.</exception>
    public static ModelOutput Of(DataViewSchema output, DataViewSchema input, IReadOnlyList<string>? classOrder)
    {
        if (Find(output, input, Score) is not { } score)
        {
            throw new FormatException(
                $"The model's output has no '{Score}' column (it has {string.Join(", ", output.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}); the loop serves ML.NET classifiers and regressors, whose last step is a trainer.");
        }

        if (score.Type is VectorDataViewType { ItemType: NumberDataViewType n, Size: >= 2 } vector && n == NumberDataViewType.Single)
        {
            if (!score.HasSlotNames())
            {
                throw new FormatException(
                    "The multiclass model's 'Score' column has no slot names, so its scores cannot be matched to the task's classes; train it on a key label with the class names as key values (MapValueToKey on the text label).");
            }

            var names = default(VBuffer<ReadOnlyMemory<char>>);
            score.GetSlotNames(ref names);
            string[] slots = [.. names.DenseValues().Select(c => c.ToString())];
            if (slots.Length != vector.Size)
            {
                throw new FormatException($"The multiclass model's 'Score' column has {vector.Size} slots but {slots.Length} slot names.");
            }

            ModelTask task;
            try
            {
                task = ModelTask.Multiclass(classOrder ?? slots);
            }
            catch (ArgumentException exception)
            {
                throw new FormatException($"The multiclass model's classes [{string.Join(", ", slots)}] are not a valid class set: {exception.Message}", exception);
            }

            if (slots.Length != task.Classes.Count || slots.Any(s => task.IndexOf(s) < 0))
            {
                throw new FormatException($"The multiclass model scores the classes [{string.Join(", ", slots)}], not [{string.Join(", ", task.Classes)}].");
            }

            return new ModelOutput(task, true, slots);
        }

        if (score.Type != NumberDataViewType.Single)
        {
            throw new FormatException($"The model's 'Score' column is {score.Type}; the loop serves Single scores (binary, regression) or Single vectors (multiclass).");
        }

        if (Find(output, input, PredictedLabel) is { } predicted)
        {
            if (predicted.Type != BooleanDataViewType.Instance)
            {
                throw new FormatException($"The model's '{PredictedLabel}' column is {predicted.Type}; a binary classifier predicts Boolean labels.");
            }

            return new ModelOutput(ModelTask.Binary, Find(output, input, Probability) is { } p && p.Type == NumberDataViewType.Single, null);
        }

        return new ModelOutput(ModelTask.Regression, false, null);
    }

    /// <summary>
    /// The model's own output column of that name, or <see langword="null"/>: ML.NET passes the input columns through,
    /// so a feature named <c>Probability</c>, <c>Score</c> or <c>PredictedLabel</c> is in the output schema too. A
    /// column the model adds hides the input's of its name (and is placed right after it, so its index says nothing):
    /// the last column of the name is the model's when the output has more columns of that name than the input.
    /// </summary>
    /// <remarks>A host pipeline that rewrites such a feature in place (ReplaceMissingValues on it) also adds a column of its name; name the feature otherwise then.</remarks>
    public static DataViewSchema.Column? Find(DataViewSchema output, DataViewSchema input, string name) =>
        output.GetColumnOrNull(name) is { } column && Named(output, name) > Named(input, name) ? column : null;

    private static int Named(DataViewSchema schema, string name) => schema.Count(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}
