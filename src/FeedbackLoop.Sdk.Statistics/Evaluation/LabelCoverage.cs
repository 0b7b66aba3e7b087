using System.Globalization;

namespace FeedbackLoop.Evaluation;

/// <summary>Computes a window's <see cref="LabelCoverageReport"/> from its predictions and the feedback received for them.</summary>
public static class LabelCoverage
{
    /// <summary>Computes the report.</summary>
    /// <param name="predictions">The window's predictions, each once.</param>
    /// <param name="feedback">The feedback received (for these or other predictions).</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException">A list or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A prediction appears twice.</exception>
    public static LabelCoverageReport Compute(IReadOnlyList<Prediction> predictions, IReadOnlyList<Feedback> feedback)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(feedback);
        var predictedAt = new Dictionary<PredictionId, DateTimeOffset>(predictions.Count);
        for (int i = 0; i < predictions.Count; i++)
        {
            Prediction prediction = predictions[i] ?? throw new ArgumentNullException(nameof(predictions), string.Create(CultureInfo.InvariantCulture, $"predictions[{i}] is null."));
            if (!predictedAt.TryAdd(prediction.Id, prediction.Timestamp))
            {
                throw new ArgumentException($"Prediction {prediction.Id} appears twice in the window.", nameof(predictions));
            }
        }

        var firstLabel = new Dictionary<PredictionId, DateTimeOffset>();
        var byKind = new Dictionary<FeedbackKind, int>();
        var bySource = new Dictionary<string, int>(StringComparer.Ordinal);
        int unmatched = 0;
        for (int i = 0; i < feedback.Count; i++)
        {
            Feedback item = feedback[i] ?? throw new ArgumentNullException(nameof(feedback), string.Create(CultureInfo.InvariantCulture, $"feedback[{i}] is null."));
            if (!predictedAt.ContainsKey(item.PredictionId))
            {
                unmatched++;
                continue;
            }

            byKind[item.Kind] = byKind.GetValueOrDefault(item.Kind) + 1;
            bySource[item.Source] = bySource.GetValueOrDefault(item.Source) + 1;
            if (item.IsLabel && (!firstLabel.TryGetValue(item.PredictionId, out DateTimeOffset earlier) || item.Timestamp < earlier))
            {
                firstLabel[item.PredictionId] = item.Timestamp;
            }
        }

        double[] delays = firstLabel.Select(pair => (double)(pair.Value - predictedAt[pair.Key]).Ticks).Where(ticks => ticks >= 0).Order().ToArray();
        return new LabelCoverageReport(
            predictions.Count,
            firstLabel.Count,
            delays.Length == 0 ? null : Distribution(delays),
            byKind,
            bySource,
            unmatched,
            firstLabel.Count - delays.Length);
    }

    private static LabelDelayDistribution Distribution(double[] sortedTicks)
    {
        TimeSpan At(double q) => TimeSpan.FromTicks((long)Math.Round(Resampling.Quantile(sortedTicks, q)));
        return new(sortedTicks.Length, TimeSpan.FromTicks((long)Math.Round(sortedTicks.Average())), At(0.5), At(0.9), At(0.99), TimeSpan.FromTicks((long)sortedTicks[^1]));
    }
}
