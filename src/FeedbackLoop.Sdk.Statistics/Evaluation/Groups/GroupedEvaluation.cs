using System.Globalization;

namespace FeedbackLoop.Evaluation.Groups;

/// <summary>
/// By-group evaluation of a binary classifier, in the manner of Fairlearn's <c>MetricFrame</c>: every metric overall and
/// per group (the groups being the values of a segment tag), how far apart the groups are, and the fairness measures —
/// each with a seeded bootstrap percentile interval.
/// </summary>
/// <remarks>
/// <para>
/// A group with fewer examples than <see cref="GroupedEvaluationOptions.MinimumGroupSize"/> is reported as too small and
/// left out of the disparities and fairness measures; a metric whose denominator is empty in a group (recall without
/// positives, ROC AUC with one class) is reported as undefined there, never as 0 or NaN.
/// </para>
/// <para>
/// The intervals resample the whole batch with replacement (the group sizes vary between resamples, as they would
/// between samples) and recompute every quantity, the disparities included, on each resample; a quantity undefined on a
/// resample leaves that resample out of its interval, and <see cref="MetricEstimate.Resamples"/> says how many remain.
/// Resample <c>r</c> has its own generator seeded from <see cref="GroupedEvaluationOptions.Seed"/> and <c>r</c>, so the
/// result is the same whatever the number of threads; resamples run in parallel.
/// </para>
/// </remarks>
public sealed class GroupedEvaluation
{
    private const int DisparitySlots = 6;
    private const int FairnessSlots = 5;

    private readonly string[] _groupNames;
    private readonly Dictionary<(string Group, Metric Metric), GroupMetricResult> _results = [];
    private readonly Dictionary<Metric, MetricEstimate?> _overall = [];
    private readonly Dictionary<Metric, GroupDisparity> _disparities = [];

    private GroupedEvaluation(IReadOnlyList<Metric> metrics, string[] groupNames, int[] groupSizes, FairnessMeasures fairness)
    {
        Metrics = metrics;
        _groupNames = groupNames;
        GroupSizes = groupNames.Select((name, g) => KeyValuePair.Create(name, groupSizes[g])).ToDictionary();
        Fairness = fairness;
    }

    /// <summary>Gets the metrics evaluated, in the order given.</summary>
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>Gets the groups in ordinal order of their names.</summary>
    public IReadOnlyList<string> Groups => _groupNames;

    /// <summary>Gets the number of examples of each group.</summary>
    public IReadOnlyDictionary<string, int> GroupSizes { get; }

    /// <summary>Gets the fairness measures of the predicted labels across the judged groups.</summary>
    public FairnessMeasures Fairness { get; }

    /// <summary>Evaluates a batch of binary predictions by group.</summary>
    /// <param name="metrics">The metrics to report; at least one, without repeats.</param>
    /// <param name="actual">The actual labels.</param>
    /// <param name="predicted">The predicted labels, one per example.</param>
    /// <param name="scores">The predicted scores, one per example, or empty when no metric reads scores.</param>
    /// <param name="groups">Each example's group (a segment tag's value), one per example.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metrics"/> or a group name is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// No metric or a repeated one, spans of different lengths, an empty batch, or scores needed but missing.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or a score is not accepted by a metric.</exception>
    public static GroupedEvaluation Evaluate(
        IReadOnlyList<Metric> metrics,
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<bool> predicted,
        ReadOnlySpan<double> scores,
        ReadOnlySpan<string> groups,
        GroupedEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= new GroupedEvaluationOptions();
        options.Validate();
        if (metrics.Count == 0 || metrics.Distinct().Count() != metrics.Count || metrics.Any(m => m is null))
        {
            throw new ArgumentException("Give at least one metric, each once.", nameof(metrics));
        }

        MetricArguments.RequireBatch(actual.Length, predicted.Length, nameof(predicted), 0);
        MetricArguments.RequireSameLength(actual.Length, nameof(actual), groups.Length, nameof(groups));
        MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), scores.Length, nameof(scores));
        var layout = new Layout(metrics, actual, predicted, scores, groups, options.MinimumGroupSize);

        double[] point = layout.Evaluate(weights: null);
        int resamples = options.Resamples;
        int n = actual.Length;
        double[][] replicates = new double[resamples][];
        Parallel.For(0, resamples, () => new double[n], (r, _, counts) =>
        {
            Resampling.Draw(counts, options.Seed, (int)r);
            replicates[r] = layout.Evaluate(counts);
            return counts;
        }, _ => { });

        MetricEstimate? Estimate(int slot)
        {
            if (double.IsNaN(point[slot]))
            {
                return null;
            }

            double[] values = replicates.Select(q => q[slot]).Where(v => !double.IsNaN(v)).ToArray();
            return Resampling.Interval(point[slot], values, options.ConfidenceLevel);
        }

        int fairnessAt = layout.FairnessSlot;
        var evaluation = new GroupedEvaluation(
            metrics,
            layout.GroupNames,
            layout.GroupSizes,
            new FairnessMeasures(Estimate(fairnessAt), Estimate(fairnessAt + 1), Estimate(fairnessAt + 2), Estimate(fairnessAt + 3), Estimate(fairnessAt + 4)));
        for (int m = 0; m < metrics.Count; m++)
        {
            Metric metric = metrics[m];
            evaluation._overall[metric] = Estimate(layout.OverallSlot(m));
            for (int g = 0; g < layout.GroupNames.Length; g++)
            {
                string name = layout.GroupNames[g];
                string? reason = layout.WhyNotJudged(m, g);
                evaluation._results[(name, metric)] = reason is null
                    ? new GroupMetricResult(name, metric, GroupMetricStatus.Judged, Estimate(layout.GroupSlot(m, g)), null)
                    : new GroupMetricResult(name, metric, layout.IsTooSmall(g) ? GroupMetricStatus.TooSmall : GroupMetricStatus.Undefined, null, reason);
            }

            int d = layout.DisparitySlot(m);
            evaluation._disparities[metric] = new GroupDisparity(metric, Estimate(d), Estimate(d + 1), Estimate(d + 2), Estimate(d + 3), Estimate(d + 4), Estimate(d + 5));
        }

        return evaluation;
    }

    /// <summary>Gets a metric's value on the whole batch, or <see langword="null"/> when it is undefined there.</summary>
    /// <param name="metric">One of <see cref="Metrics"/>.</param>
    /// <returns>The estimate, or <see langword="null"/>.</returns>
    /// <exception cref="KeyNotFoundException"><paramref name="metric"/> was not evaluated.</exception>
    public MetricEstimate? Overall(Metric metric) => _overall[metric];

    /// <summary>Gets a metric in one group.</summary>
    /// <param name="group">One of <see cref="Groups"/>.</param>
    /// <param name="metric">One of <see cref="Metrics"/>.</param>
    /// <returns>The result, judged or with the reason it is not.</returns>
    /// <exception cref="KeyNotFoundException">The group or the metric was not evaluated.</exception>
    public GroupMetricResult Result(string group, Metric metric) => _results[(group, metric)];

    /// <summary>Gets how far apart a metric is across the judged groups.</summary>
    /// <param name="metric">One of <see cref="Metrics"/>.</param>
    /// <returns>The disparity.</returns>
    /// <exception cref="KeyNotFoundException"><paramref name="metric"/> was not evaluated.</exception>
    public GroupDisparity Disparity(Metric metric) => _disparities[metric];

    /// <summary>
    /// The batch reordered by group, and the flat list of every reported quantity: per metric the overall value, one
    /// value per group and the six disparities, then the five fairness measures. <see cref="Evaluate"/> computes them all
    /// for one set of example weights (none for the data itself, resample counts for a replicate), NaN where undefined.
    /// </summary>
    private sealed class Layout
    {
        private readonly IReadOnlyList<Metric> _metrics;
        private readonly bool[] _actual;
        private readonly bool[] _predicted;
        private readonly double[] _scores;
        private readonly int[] _starts;
        private readonly int _minimumGroupSize;
        private readonly string?[,] _undefined;

        public Layout(IReadOnlyList<Metric> metrics, ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> scores, ReadOnlySpan<string> groups, int minimumGroupSize)
        {
            _metrics = metrics;
            _minimumGroupSize = minimumGroupSize;
            int n = actual.Length;
            int[] order = new int[n];
            string[] names = new string[n];
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
                names[i] = groups[i] ?? throw new ArgumentNullException(nameof(groups), string.Create(CultureInfo.InvariantCulture, $"groups[{i}] is null."));
            }

            Array.Sort(names, order, StringComparer.Ordinal);
            GroupNames = names.Distinct(StringComparer.Ordinal).ToArray();
            _starts = new int[GroupNames.Length + 1];
            for (int i = 1, g = 0; i < n; i++)
            {
                if (!string.Equals(names[i], names[i - 1], StringComparison.Ordinal))
                {
                    _starts[++g] = i;
                }
            }

            _starts[GroupNames.Length] = n;
            GroupSizes = Enumerable.Range(0, GroupNames.Length).Select(g => _starts[g + 1] - _starts[g]).ToArray();
            _actual = new bool[n];
            _predicted = new bool[n];
            _scores = new double[scores.Length];
            for (int i = 0; i < n; i++)
            {
                _actual[i] = actual[order[i]];
                _predicted[i] = predicted[order[i]];
                if (!scores.IsEmpty)
                {
                    _scores[i] = scores[order[i]];
                }
            }
            _undefined = new string?[metrics.Count, GroupNames.Length];
            for (int m = 0; m < metrics.Count; m++)
            {
                if (metrics[m].UndefinedReason(_actual, _predicted, default) is null)
                {
                    metrics[m].Compute(_actual, _predicted, _scores); // validates the spans and the scores once
                }

                for (int g = 0; g < GroupNames.Length; g++)
                {
                    _undefined[m, g] = IsTooSmall(g)
                        ? string.Create(CultureInfo.InvariantCulture, $"the group has {GroupSizes[g]} examples, fewer than the minimum of {minimumGroupSize}")
                        : metrics[m].UndefinedReason(Slice(_actual, g), Slice(_predicted, g), default);
                }
            }
        }

        public string[] GroupNames { get; }

        public int[] GroupSizes { get; }

        public int FairnessSlot => _metrics.Count * (1 + GroupNames.Length + DisparitySlots);

        public int OverallSlot(int metric) => metric * (1 + GroupNames.Length + DisparitySlots);

        public int GroupSlot(int metric, int group) => OverallSlot(metric) + 1 + group;

        public int DisparitySlot(int metric) => OverallSlot(metric) + 1 + GroupNames.Length;

        public bool IsTooSmall(int group) => GroupSizes[group] < _minimumGroupSize;

        public string? WhyNotJudged(int metric, int group) => _undefined[metric, group];

        public double[] Evaluate(double[]? weights)
        {
            double[] q = new double[FairnessSlot + FairnessSlots];
            Array.Fill(q, double.NaN);
            for (int m = 0; m < _metrics.Count; m++)
            {
                double overall = q[OverallSlot(m)] = Compute(_metrics[m], 0, _actual.Length, weights);
                var values = new List<double>();
                for (int g = 0; g < GroupNames.Length; g++)
                {
                    if (!IsTooSmall(g))
                    {
                        double value = q[GroupSlot(m, g)] = Compute(_metrics[m], _starts[g], _starts[g + 1], weights);
                        if (!double.IsNaN(value))
                        {
                            values.Add(value);
                        }
                    }
                }

                Disparities(values, overall).CopyTo(q, DisparitySlot(m));
            }

            var selection = new List<double>();
            var truePositive = new List<double>();
            var falsePositive = new List<double>();
            for (int g = 0; g < GroupNames.Length; g++)
            {
                if (!IsTooSmall(g))
                {
                    AddDefined(selection, Compute(Metric.SelectionRate, _starts[g], _starts[g + 1], weights));
                    AddDefined(truePositive, Compute(Metric.Recall, _starts[g], _starts[g + 1], weights));
                    AddDefined(falsePositive, Compute(Metric.FalsePositiveRate, _starts[g], _starts[g + 1], weights));
                }
            }

            int f = FairnessSlot;
            if (selection.Count >= 2)
            {
                q[f] = selection.Max() - selection.Min();
                q[f + 1] = Ratio(selection.Min(), selection.Max());
            }

            if (truePositive.Count >= 2 && falsePositive.Count >= 2)
            {
                q[f + 2] = Math.Max(truePositive.Max() - truePositive.Min(), falsePositive.Max() - falsePositive.Min());
                q[f + 3] = Math.Min(Ratio(truePositive.Min(), truePositive.Max()), Ratio(falsePositive.Min(), falsePositive.Max()));
            }

            if (truePositive.Count >= 2)
            {
                q[f + 4] = truePositive.Max() - truePositive.Min();
            }

            return q;
        }

        private static void AddDefined(List<double> values, double value)
        {
            if (!double.IsNaN(value))
            {
                values.Add(value);
            }
        }

        /// <summary>Minimum, maximum, difference, ratio, difference to overall, ratio to overall (NaN where undefined).</summary>
        private static double[] Disparities(List<double> values, double overall)
        {
            double[] d = [double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN];
            if (values.Count >= 1 && !double.IsNaN(overall))
            {
                d[4] = values.Max(v => Math.Abs(v - overall));
                d[5] = values.Min(v => Math.Min(Ratio(v, overall), Ratio(overall, v)));
            }

            if (values.Count >= 2)
            {
                (d[0], d[1]) = (values.Min(), values.Max());
                d[2] = d[1] - d[0];
                d[3] = Ratio(d[0], d[1]);
            }

            return d;
        }

        private static double Ratio(double numerator, double denominator) =>
            denominator != 0 ? numerator / denominator : numerator == 0 ? 1 : 0;

        private ReadOnlySpan<T> Slice<T>(T[] values, int group) => values.AsSpan(_starts[group], _starts[group + 1] - _starts[group]);

        /// <summary>A metric on examples [start, end) with the given weights, NaN when undefined there.</summary>
        private double Compute(Metric metric, int start, int end, double[]? weights)
        {
            ReadOnlySpan<bool> actual = _actual.AsSpan(start, end - start);
            ReadOnlySpan<bool> predicted = _predicted.AsSpan(start, end - start);
            ReadOnlySpan<double> scores = _scores.Length == 0 ? default : _scores.AsSpan(start, end - start);
            ReadOnlySpan<double> w = weights is null ? default : weights.AsSpan(start, end - start);
            if (weights is not null)
            {
                double total = 0;
                foreach (double count in w)
                {
                    total += count;
                }

                if (total == 0)
                {
                    return double.NaN;
                }
            }

            return metric.UndefinedReason(actual, predicted, w) is null ? metric.Compute(actual, predicted, scores, w) : double.NaN;
        }
    }
}
