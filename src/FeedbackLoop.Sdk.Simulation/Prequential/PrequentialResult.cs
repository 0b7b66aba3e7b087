using FeedbackLoop.Drift;

namespace FeedbackLoop.Simulation.Prequential;

/// <summary>The runs of one prequential comparison and the measures read from them.</summary>
/// <param name="Options">The replay's settings.</param>
/// <param name="DriftPoints">The predictions (0-based, replay order) at which a new concept starts.</param>
/// <param name="Runs">One run per strategy, in the order given.</param>
public sealed record PrequentialResult(PrequentialOptions Options, IReadOnlyList<long> DriftPoints, IReadOnlyList<PrequentialRun> Runs)
{
    /// <summary>Gets a strategy's run by name.</summary>
    /// <param name="strategy">The strategy's name.</param>
    /// <returns>The run.</returns>
    /// <exception cref="KeyNotFoundException">No strategy has that name.</exception>
    public PrequentialRun this[string strategy] =>
        Runs.FirstOrDefault(r => r.Strategy == strategy) ?? throw new KeyNotFoundException($"No strategy is named '{strategy}'.");

    /// <summary>Gets the share of correct predictions in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="run">The run.</param>
    /// <param name="from">The first prediction.</param>
    /// <param name="to">The prediction after the last; clipped to the replay.</param>
    /// <returns>The accuracy, or NaN for an empty range.</returns>
    public static double Accuracy(PrequentialRun run, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(run);
        (from, to) = (Math.Max(0, from), Math.Min(to, run.Correct.Count));
        var hits = 0;
        for (var i = from; i < to; i++)
        {
            hits += run.Correct[(int)i] ? 1 : 0;
        }

        return to > from ? (double)hits / (to - from) : double.NaN;
    }

    /// <summary>Gets the accuracy of each consecutive window of <paramref name="width"/> predictions (the last may be shorter).</summary>
    /// <param name="run">The run.</param>
    /// <param name="width">The window; at least 1.</param>
    /// <returns>One accuracy per window.</returns>
    public static IReadOnlyList<double> Windows(PrequentialRun run, int width)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return [.. Enumerable.Range(0, (run.Correct.Count + width - 1) / width).Select(k => Accuracy(run, (long)k * width, (long)(k + 1) * width))];
    }

    /// <summary>Gets the spans between drift points: [0, first), [first, second), …, [last, end).</summary>
    public IReadOnlyList<(long From, long To)> Concepts =>
        [.. DriftPoints.Prepend(0).Zip(DriftPoints.Append(Options.Predictions), (from, to) => (from, to))];

    /// <summary>
    /// Measures a run against the oracle's run: accuracy before the first change and after each, over the last
    /// <paramref name="tail"/> predictions, the ratio to the oracle after the changes, and per change the detection
    /// delay (in samples, from the change to the first labelled sample whose label raised a drift; the alarm itself
    /// comes <see cref="PrequentialOptions.LabelDelay"/> predictions later) and the recovery (predictions from the change
    /// until the accuracy of the 1,000 predictions up to a point is within 1 point of the oracle's over the same ones).
    /// </summary>
    /// <param name="strategy">The run's strategy.</param>
    /// <param name="oracle">The oracle's strategy.</param>
    /// <param name="tail">The final predictions the "last" measure covers. Default 10,000.</param>
    /// <returns>The measures.</returns>
    public PrequentialSummary Summarize(string strategy, string oracle = "oracle", int tail = 10_000)
    {
        var run = this[strategy];
        var reference = this[oracle];
        var concepts = Concepts;
        var after = concepts.Skip(1).ToList();
        var postChange = after.Count == 0 ? double.NaN : Accuracy(run, after[0].From, Options.Predictions);
        var oraclePostChange = after.Count == 0 ? double.NaN : Accuracy(reference, after[0].From, Options.Predictions);
        var first = after.Count == 0 ? Options.Predictions : after[0].From;
        return new PrequentialSummary(
            strategy,
            Accuracy(run, 0, first),
            [.. after.Select(c => Accuracy(run, c.From, c.To))],
            postChange,
            postChange / oraclePostChange,
            Accuracy(run, Options.Predictions - tail, Options.Predictions),
            [.. after.Select(c => run.DriftSignals.FirstOrDefault(s => s >= c.From && s < c.To, -1) is var s and >= 0 ? s - c.From : (long?)null)],
            [.. after.Select(c => Recovery(run, reference, c.From, c.To))],
            run.DriftSignals.Count(s => s < first),
            run.ModelChanges.Count(m => m < first),
            run.Cycles.Count(c => c.Prediction + 1 < first && c.Report.Outcome == CycleOutcome.Promoted && c.Report.Observed.DriftSignals.Any(s => s.State == DriftState.Drift)),
            run.Promotions.Where(p => p.At < first).Select(p => p.Gain).DefaultIfEmpty(double.NaN).Min(),
            run.Trainings,
            run.LabelsUsed,
            run.TrainingTime);
    }

    /// <summary>
    /// Gets the worst difference in accuracy between two strategies over the consecutive windows of
    /// <paramref name="width"/> predictions that start at the first change (a last, shorter window included).
    /// </summary>
    /// <param name="strategy">The strategy measured.</param>
    /// <param name="reference">The strategy it is compared with, for example a periodic one.</param>
    /// <param name="width">The window; at least 1. Default 10,000.</param>
    /// <returns>The smallest <c>accuracy(strategy) − accuracy(reference)</c> over the windows; NaN without a change.</returns>
    public double WorstWindowAfterChange(string strategy, string reference, int width = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var (run, other) = (this[strategy], this[reference]);
        if (DriftPoints.Count == 0)
        {
            return double.NaN;
        }

        var worst = double.PositiveInfinity;
        for (var from = DriftPoints[0]; from < Options.Predictions; from += width)
        {
            worst = Math.Min(worst, Accuracy(run, from, from + width) - Accuracy(other, from, from + width));
        }

        return worst;
    }

    private static long? Recovery(PrequentialRun run, PrequentialRun oracle, long from, long to)
    {
        const int Width = 1_000;
        for (var end = from + Width; end <= to; end += 100)
        {
            if (Accuracy(run, end - Width, end) >= Accuracy(oracle, end - Width, end) - 0.01)
            {
                return end - from;
            }
        }

        return null;
    }
}
