using FeedbackLoop.Evaluation;
using FeedbackLoop.State;

namespace FeedbackLoop.Monitoring;

/// <summary>
/// The champion's last <c>capacity</c> labelled outcomes in a ring — correct or not, and for binary labels the actual
/// and predicted labels and the score — and the rolling metrics read from them with the evaluation layer's metrics.
/// </summary>
/// <remarks>Not thread-safe. Allocation-free when adding; reading allocates the batch it evaluates.</remarks>
internal sealed class RollingOutcomes(int capacity)
{
    private readonly Outcome[] _outcomes = new Outcome[capacity];
    private long _added;

    public bool IsFull => _added >= _outcomes.Length;

    public int Capacity => _outcomes.Length;

    /// <summary>Takes <paramref name="other"/>'s outcomes (of the same capacity).</summary>
    public void CopyFrom(RollingOutcomes other)
    {
        other._outcomes.CopyTo(_outcomes, 0);
        _added = other._added;
    }

    public void Add(Label actual, PredictionOutput output)
    {
        bool binary = actual.Kind == LabelKind.Binary && output.Label.Kind == LabelKind.Binary;
        _outcomes[(int)(_added % _outcomes.Length)] = new Outcome(
            output.Label == actual,
            binary,
            binary && actual.AsBoolean(),
            binary && output.Label.AsBoolean(),
            output.Score);
        _added++;
    }

    public void Clear() => _added = 0;

    /// <summary>Writes the window as it is laid out (capacity, count, and the ring itself), so a restore reads back the same sums.</summary>
    public void WriteTo(SnapshotWriter writer)
    {
        var kept = (int)Math.Min(_added, _outcomes.Length);
        writer.Write(_outcomes.Length).Write(_added);
        foreach (var outcome in _outcomes.AsSpan(0, kept))
        {
            writer.Write(outcome.Correct).Write(outcome.Binary).Write(outcome.Actual).Write(outcome.Predicted).Write(outcome.Score);
        }
    }

    /// <summary>
    /// Reads what <see cref="WriteTo"/> wrote. A window of the same capacity is restored slot for slot (the metrics come
    /// out bit for bit the same); one of another capacity keeps the outcomes that fit.
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
        var outcomes = new Outcome[kept];
        for (var i = 0; i < kept; i++)
        {
            outcomes[i] = new Outcome(reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadDouble());
        }

        if (capacity == _outcomes.Length)
        {
            outcomes.CopyTo(_outcomes, 0);
            _added = added;
            return;
        }

        // Another capacity: keep the newest outcomes that fit, read in the order they were added (the saved ring starts
        // at its oldest slot once it has wrapped).
        var oldest = added > capacity ? (int)(added % capacity) : 0;
        var fit = Math.Min(kept, _outcomes.Length);
        for (var i = 0; i < fit; i++)
        {
            _outcomes[i] = outcomes[(oldest + kept - fit + i) % kept];
        }

        _added = fit;
    }

    /// <summary>
    /// The metrics of a full window, by <see cref="Metric.Name"/>: accuracy always; for binary labels the label metrics
    /// that are defined on the window; and, when every score is a probability, the score metrics.
    /// </summary>
    public Dictionary<string, double> Metrics()
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!IsFull)
        {
            return metrics;
        }

        metrics[Metric.Accuracy.Name] = _outcomes.Count(o => o.Correct) / (double)_outcomes.Length;
        if (!_outcomes.All(o => o.Binary))
        {
            return metrics;
        }

        bool[] actual = _outcomes.Select(o => o.Actual).ToArray();
        bool[] predicted = _outcomes.Select(o => o.Predicted).ToArray();
        double[] scores = _outcomes.Select(o => o.Score).ToArray();
        bool probabilities = scores.All(s => s is >= 0 and <= 1);
        Metric[] candidates =
        [
            Metric.BalancedAccuracy, Metric.Precision, Metric.Recall, Metric.F1, Metric.MatthewsCorrelation,
            Metric.RocAuc, Metric.LogLoss, Metric.BrierScore,
        ];
        foreach (Metric metric in candidates)
        {
            if ((!metric.ReadsScores || probabilities) && metric.UndefinedReason(actual, predicted, default) is null)
            {
                metrics[metric.Name] = metric.Compute(actual, predicted, scores);
            }
        }

        return metrics;
    }

    private readonly record struct Outcome(bool Correct, bool Binary, bool Actual, bool Predicted, double Score);
}
