using FeedbackLoop.Evaluation;
using FeedbackLoop.Models;
using FeedbackLoop.State;

namespace FeedbackLoop.Monitoring;

/// <summary>
/// A serving version's last <c>capacity</c> labelled outcomes in a ring — the true label and the model's output — and
/// the rolling metrics of the loop's task read from them with the evaluation layer's <see cref="Metric"/>s.
/// </summary>
/// <remarks>Not thread-safe. Allocation-free when adding; reading allocates the batch it evaluates.</remarks>
internal sealed class RollingOutcomes(ModelTask task, int capacity)
{
    private readonly Label[] _actual = new Label[capacity];
    private readonly PredictionOutput[] _predicted = new PredictionOutput[capacity];
    private long _added;

    /// <summary>The longest class name a snapshot may hold, in UTF-8 bytes: far above any the loop's string limit lets in.</summary>
    private const int MaxLabelBytes = 1 << 20;

    public bool IsFull => _added >= _actual.Length;

    /// <summary>
    /// The rolling metrics of a task, in the order they are reported: binary, every label and score metric a gate
    /// compares on; multiclass, accuracy, balanced accuracy, macro-F1, MCC and log loss; regression, MAE, RMSE and R².
    /// </summary>
    public static IReadOnlyList<Metric> MetricsOf(ModelTask task) => task.Kind switch
    {
        ModelTaskKind.Binary =>
        [
            Metric.Accuracy, Metric.BalancedAccuracy, Metric.Precision, Metric.Recall, Metric.F1, Metric.MatthewsCorrelation,
            Metric.RocAuc, Metric.LogLoss, Metric.BrierScore,
        ],
        ModelTaskKind.Multiclass => [Metric.Accuracy, Metric.BalancedAccuracy, Metric.MacroF1, Metric.MatthewsCorrelation, Metric.LogLoss],
        _ => [Metric.MeanAbsoluteError, Metric.RootMeanSquaredError, Metric.R2],
    };

    /// <summary>
    /// The value the error detector watches for one labelled outcome: for classifiers the misclassification (1 wrong,
    /// 0 right); for regression the absolute error |actual − predicted|, in the target's units (at most
    /// <see cref="double.MaxValue"/>: finite values far apart do not overflow to infinity).
    /// </summary>
    public static double Error(ModelTask task, Label actual, PredictionOutput output) =>
        task.Kind == ModelTaskKind.Regression
            ? Math.Min(Math.Abs(actual.AsDouble() - output.Value), double.MaxValue)
            : output.Label == actual ? 0.0 : 1.0;

    /// <summary>Takes <paramref name="other"/>'s outcomes (of the same capacity).</summary>
    public void CopyFrom(RollingOutcomes other)
    {
        other._actual.CopyTo(_actual, 0);
        other._predicted.CopyTo(_predicted, 0);
        _added = other._added;
    }

    public void Add(Label actual, PredictionOutput output)
    {
        var slot = (int)(_added % _actual.Length);
        _actual[slot] = actual;
        _predicted[slot] = output;
        _added++;
    }

    /// <summary>Writes the window as it is laid out (capacity, count, and the ring itself), so a restore reads back the same metrics.</summary>
    public void WriteTo(SnapshotWriter writer)
    {
        var kept = (int)Math.Min(_added, _actual.Length);
        writer.Write(_actual.Length).Write(_added);
        for (var i = 0; i < kept; i++)
        {
            WriteLabel(writer, _actual[i]);
            WriteLabel(writer, _predicted[i].Label);
            writer.Write(_predicted[i].Score).Write(_predicted[i].Values);
        }
    }

    /// <summary>
    /// Reads what <see cref="WriteTo"/> wrote. A window of the same capacity is restored slot for slot (the metrics come
    /// out bit for bit the same); one of another capacity keeps the outcomes that fit. An outcome that does not fit the
    /// task is refused as corrupt.
    /// </summary>
    public void ReadFrom(ref SnapshotReader reader)
    {
        var capacity = reader.ReadInt32();
        var added = reader.ReadInt64();
        if (capacity < 1 || added < 0)
        {
            throw reader.Corrupt("the rolling window's size or count is out of range");
        }

        var kept = (int)Math.Min(added, capacity);
        var actual = new Label[kept];
        var predicted = new PredictionOutput[kept];
        for (var i = 0; i < kept; i++)
        {
            actual[i] = ReadLabel(ref reader);
            predicted[i] = ReadOutput(ref reader);
            if (!task.Accepts(actual[i], out var problem) || !task.Accepts(predicted[i], out problem))
            {
                throw reader.Corrupt($"rolling outcome {i} does not fit the loop's {task} task: {problem}");
            }
        }

        if (capacity == _actual.Length)
        {
            actual.CopyTo(_actual, 0);
            predicted.CopyTo(_predicted, 0);
            _added = added;
            return;
        }

        // Another capacity: keep the newest outcomes that fit, read in the order they were added (the saved ring starts
        // at its oldest slot once it has wrapped).
        var oldest = added > capacity ? (int)(added % capacity) : 0;
        var fit = Math.Min(kept, _actual.Length);
        for (var i = 0; i < fit; i++)
        {
            var from = (oldest + kept - fit + i) % kept;
            _actual[i] = actual[from];
            _predicted[i] = predicted[from];
        }

        _added = fit;
    }

    /// <summary>
    /// The metrics of a full window, by <see cref="Metric.Name"/>: those of <see cref="MetricsOf"/> that are defined on
    /// the window, a score metric only when every output carries its probabilities.
    /// </summary>
    public Dictionary<string, double> Metrics()
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!IsFull)
        {
            return metrics;
        }

        var probabilities = Array.TrueForAll(_predicted, o => !double.IsNaN(o.Score) || !o.Probabilities.IsEmpty);
        foreach (var metric in MetricsOf(task))
        {
            if ((!metric.ReadsScores || probabilities) && metric.UndefinedReason(task, _actual, _predicted) is null)
            {
                metrics[metric.Name] = metric.Compute(task, _actual, _predicted);
            }
        }

        return metrics;
    }

    private static void WriteLabel(SnapshotWriter writer, Label label)
    {
        writer.Write((int)label.Kind);
        _ = label.Kind switch
        {
            LabelKind.Categorical => writer.Write(label.AsCategory()),
            LabelKind.None => writer,
            _ => writer.Write(label.AsDouble()),
        };
    }

    private static Label ReadLabel(ref SnapshotReader reader)
    {
        var kind = (LabelKind)reader.ReadInt32();
        switch (kind)
        {
            case LabelKind.None:
                return Label.None;
            case LabelKind.Categorical:
                var category = reader.ReadString(MaxLabelBytes);
                return category.Length > 0 ? Label.Categorical(category) : throw reader.Corrupt("a saved class is empty");
            case LabelKind.Binary or LabelKind.Numeric:
                var value = reader.ReadDouble();
                return !double.IsFinite(value) ? throw reader.Corrupt("a saved label is not finite")
                    : kind == LabelKind.Binary ? Label.Binary(value != 0.0) : Label.Numeric(value);
            default:
                throw reader.Corrupt($"the label kind {(int)kind} is not defined");
        }
    }

    private static PredictionOutput ReadOutput(ref SnapshotReader reader)
    {
        var label = ReadLabel(ref reader);
        var score = reader.ReadDouble();
        return PredictionOutput.Restore(label, score, reader.ReadDoubles(ModelTask.MaxClasses));
    }
}
