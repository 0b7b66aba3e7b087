using FeedbackLoop.Drift;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation.Prequential;

/// <summary>The runs of one prequential comparison and the measures read from them.</summary>
/// <param name="Options">The replay's settings.</param>
/// <param name="Task">The stream's task, which fixes the metric: accuracy for a binary or multiclass task, mean absolute error for a regression.</param>
/// <param name="DriftPoints">The predictions (0-based, replay order) at which a new concept starts.</param>
/// <param name="Runs">One run per strategy, in the order given.</param>
/// <remarks>
/// Comparisons between strategies are oriented so that higher is better for every task: for a regression the ratio to
/// the oracle is the oracle's error over the run's (see <see cref="Summarize"/>) and a difference between two runs is
/// the reference's error minus the run's (see <see cref="WorstWindowAfterChange"/>), so that 1 and 0 mean "as good".
/// </remarks>
public sealed record PrequentialResult(PrequentialOptions Options, ModelTask Task, IReadOnlyList<long> DriftPoints, IReadOnlyList<PrequentialRun> Runs)
{
    /// <summary>The relative margin within which a regression run's rolling error counts as recovered (5% of the oracle's).</summary>
    private const double RegressionRecoveryMargin = 0.05;

    /// <summary>The margin within which a classification run's rolling accuracy counts as recovered (1 point).</summary>
    private const double AccuracyRecoveryMargin = 0.01;

    /// <summary>Gets whether a higher value of the task's metric is better: true for accuracy, false for the mean absolute error.</summary>
    public bool HigherIsBetter => Task.Kind != ModelTaskKind.Regression;

    /// <summary>Gets a strategy's run by name.</summary>
    /// <param name="strategy">The strategy's name.</param>
    /// <returns>The run.</returns>
    /// <exception cref="KeyNotFoundException">No strategy has that name.</exception>
    public PrequentialRun this[string strategy] =>
        Runs.FirstOrDefault(r => r.Strategy == strategy) ?? throw new KeyNotFoundException($"No strategy is named '{strategy}'.");

    /// <summary>
    /// Gets the task's metric over the predictions in [<paramref name="from"/>, <paramref name="to"/>): the mean of
    /// <see cref="PrequentialRun.Scores"/>, which is the accuracy for a classification and the mean absolute error for a regression.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="from">The first prediction.</param>
    /// <param name="to">The prediction after the last; clipped to the replay.</param>
    /// <returns>The metric, or NaN for an empty range.</returns>
    public static double Metric(PrequentialRun run, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(run);
        (from, to) = (Math.Max(0, from), Math.Min(to, run.Scores.Count));
        var sum = 0.0;
        for (var i = from; i < to; i++)
        {
            sum += run.Scores[(int)i];
        }

        return to > from ? sum / (to - from) : double.NaN;
    }

    /// <summary>Gets the task's metric (see <see cref="Metric"/>) over each consecutive window of <paramref name="width"/> predictions (the last may be shorter).</summary>
    /// <param name="run">The run.</param>
    /// <param name="width">The window; at least 1.</param>
    /// <returns>One value per window.</returns>
    public static IReadOnlyList<double> Windows(PrequentialRun run, int width)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return [.. Enumerable.Range(0, (run.Scores.Count + width - 1) / width).Select(k => Metric(run, (long)k * width, (long)(k + 1) * width))];
    }

    /// <summary>Gets the spans between drift points: [0, first), [first, second), …, [last, end).</summary>
    public IReadOnlyList<(long From, long To)> Concepts =>
        [.. DriftPoints.Prepend(0).Zip(DriftPoints.Append(Options.Predictions), (from, to) => (from, to))];

    /// <summary>
    /// Measures a run against the oracle's run: the task's metric (<see cref="Metric"/>) before the first change and after
    /// each, over the last <paramref name="tail"/> predictions, the ratio to the oracle after the changes (the run's
    /// accuracy over the oracle's, or for a regression the oracle's mean absolute error over the run's, so that higher is
    /// better and 1 is as good as the oracle), and per change the detection delay (in samples, from the change to the
    /// first labelled sample whose label raised a drift; the alarm itself comes <see cref="PrequentialOptions.LabelDelay"/>
    /// predictions later) and the recovery (predictions from the change until the metric of the 1,000 predictions up to a
    /// point is within 1 accuracy point of the oracle's over the same ones, or for a regression within 5% of the oracle's
    /// mean absolute error).
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
        var postChange = after.Count == 0 ? double.NaN : Metric(run, after[0].From, Options.Predictions);
        var oraclePostChange = after.Count == 0 ? double.NaN : Metric(reference, after[0].From, Options.Predictions);
        var first = after.Count == 0 ? Options.Predictions : after[0].From;
        return new PrequentialSummary(
            strategy,
            Metric(run, 0, first),
            [.. after.Select(c => Metric(run, c.From, c.To))],
            postChange,
            HigherIsBetter ? postChange / oraclePostChange : oraclePostChange / postChange,
            Metric(run, Options.Predictions - tail, Options.Predictions),
            [.. after.Select(c => run.DriftSignals.FirstOrDefault(s => s >= c.From && s < c.To, -1) is var s and >= 0 ? s - c.From : (long?)null)],
            [.. after.Select(c => Recovery(run, reference, c.From, c.To, HigherIsBetter))],
            run.DriftSignals.Count(s => s < first),
            run.ModelChanges.Count(m => m < first),
            run.Cycles.Count(c => c.Prediction + 1 < first && c.Report.Outcome == CycleOutcome.Promoted && c.Report.Observed.DriftSignals.Any(s => s.State == DriftState.Drift)),
            run.Promotions.Where(p => p.At < first).Select(p => p.Gain).DefaultIfEmpty(double.NaN).Min(),
            run.Trainings,
            run.LabelsUsed,
            run.TrainingTime);
    }

    /// <summary>
    /// Gets the difference in the task's metric between two strategies over each consecutive window of
    /// <paramref name="width"/> predictions that starts at the first change (a last, shorter window included), oriented so
    /// that higher is better: accuracy minus the reference's accuracy for a classification, the reference's mean absolute
    /// error minus the run's for a regression.
    /// </summary>
    /// <param name="strategy">The strategy measured.</param>
    /// <param name="reference">The strategy it is compared with, for example a periodic one.</param>
    /// <param name="width">The window; at least 1. Default 10,000.</param>
    /// <returns>
    /// One <c>accuracy(strategy) − accuracy(reference)</c> (classification) or <c>MAE(reference) − MAE(strategy)</c>
    /// (regression) per window, oldest first; negative where the strategy did worse; empty without a change.
    /// </returns>
    public IReadOnlyList<double> WindowsAfterChange(string strategy, string reference, int width = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var (run, other) = (this[strategy], this[reference]);
        List<double> differences = [];
        for (var from = DriftPoints.Count == 0 ? Options.Predictions : DriftPoints[0]; from < Options.Predictions; from += width)
        {
            var difference = Metric(run, from, from + width) - Metric(other, from, from + width);
            differences.Add(HigherIsBetter ? difference : -difference);
        }

        return differences;
    }

    /// <summary>Gets the worst of <see cref="WindowsAfterChange"/>: the window after the change where the strategy fell furthest behind the reference.</summary>
    /// <param name="strategy">The strategy measured.</param>
    /// <param name="reference">The strategy it is compared with, for example a periodic one.</param>
    /// <param name="width">The window; at least 1. Default 10,000.</param>
    /// <returns>The smallest difference; negative when the strategy did worse in some window; NaN without a change.</returns>
    public double WorstWindowAfterChange(string strategy, string reference, int width = 10_000) =>
        WindowsAfterChange(strategy, reference, width).DefaultIfEmpty(double.NaN).Min();

    private static long? Recovery(PrequentialRun run, PrequentialRun oracle, long from, long to, bool higherIsBetter)
    {
        const int Width = 1_000;
        for (var end = from + Width; end <= to; end += 100)
        {
            var (mine, best) = (Metric(run, end - Width, end), Metric(oracle, end - Width, end));
            if (higherIsBetter ? mine >= best - AccuracyRecoveryMargin : mine <= best * (1 + RegressionRecoveryMargin))
            {
                return end - from;
            }
        }

        return null;
    }
}
