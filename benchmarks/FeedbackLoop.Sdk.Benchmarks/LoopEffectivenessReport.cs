using System.Diagnostics;
using System.Globalization;
using System.Text;
using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Simulation.Prequential;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Regenerates the tables and charts of docs/loop-effectiveness.md:
/// <c>dotnet run -c Release --project benchmarks/FeedbackLoop.Sdk.Benchmarks -- loop-effectiveness [seeds] [chart folder]</c>.
/// Every stream × label delay × seed is one prequential replay of every strategy on the same samples.
/// </summary>
internal static class LoopEffectivenessReport
{
    public const string Command = "loop-effectiveness";

    private const int Change = 30_000;
    private const int History = 2_000;

    private static readonly int[] Delays = [0, 500];

    /// <summary>
    /// The streams: each drifts at prediction 30,000 (stream index 32,000, after the history): at once, along a sigmoid
    /// centred there (gradual), or moving linearly from there over 5,000 samples (incremental); recurring ones go back
    /// at 45,000.
    /// </summary>
    private static readonly (string Name, Func<int, IDriftingStream> Create)[] Streams =
    [
        ("SEA θ 8→9, abrupt", seed => new SeaStream(seed, [0, 1], [History + Change])),
        ("SEA θ 8→9, gradual over ~5,000", seed => new ConceptDriftStream(new SeaStream(seed, [0], []), new SeaStream(seed + 1_000, [1], []), History + Change, 5_000, seed)),
        ("SEA θ 8→9→8, recurring", seed => new SeaStream(seed, [0, 1, 0], [History + Change, History + 45_000])),
        ("STAGGER 1→2, abrupt", seed => new StaggerStream(seed, [0, 1], [History + Change], noise: 0.05)),
        ("STAGGER 1→2→1, recurring", seed => new StaggerStream(seed, [0, 1, 0], [History + Change, History + 45_000], noise: 0.05)),
        ("hyperplane, abrupt rotation", seed => new RotatingHyperplaneStream(seed, 10, [History + Change])),
        ("hyperplane, gradual over ~5,000", seed => new ConceptDriftStream(
            new RotatingHyperplaneStream(seed, 10, []), new RotatingHyperplaneStream(seed, 10, [1]), History + Change, 5_000, seed)),
        ("hyperplane, incremental over 5,000", seed => new RotatingHyperplaneStream(seed, 10, [History + Change], transition: 5_000)),
        ("Agrawal F1→F3, abrupt", seed => new AgrawalStream(seed, [0, 2], [History + Change])),
        ("Agrawal F1→F3, gradual over ~5,000", seed => new ConceptDriftStream(
            new AgrawalStream(seed, [0], []), new AgrawalStream(seed + 1_000, [2], []), History + Change, 5_000, seed)),
    ];

    // "loop (DDM, drift only)" is the loop's defaults before this page earned new ones, kept for the comparison.
    private static readonly string[] Order = ["static", "periodic-5000", "loop (DDM, drift only)", "loop (defaults)", "oracle"];

    public static async Task RunAsync(string[] args)
    {
        var seeds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var charts = args.Length > 2 ? args[2] : null;
        var watch = Stopwatch.StartNew();
        var jobs = (from stream in Streams from delay in Delays from seed in Enumerable.Range(1, seeds) select (stream, delay, seed)).ToList();
        var results = new System.Collections.Concurrent.ConcurrentDictionary<(string Stream, int Delay, int Seed), PrequentialResult>();
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (job, token) =>
        {
            var options = new PrequentialOptions { History = History, Predictions = 60_000, LabelDelay = job.delay, CycleEvery = 1_000, Seed = job.seed };
            results[(job.stream.Name, job.delay, job.seed)] = await PrequentialEvaluation.RunAsync(job.stream.Create(job.seed), Strategies(job.stream.Create(job.seed).Schema), options, token);
        });

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{jobs.Count} replays ({Streams.Length} streams × {Delays.Length} label delays × {seeds} seeds) of 2,000 history + 60,000 predictions, a cycle every 1,000 predictions, in {watch.Elapsed.TotalMinutes:0.0} min on {Environment.ProcessorCount} cores."));
        foreach (var delay in Delays)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"### Label delay {delay}"));
            foreach (var (name, _) in Streams)
            {
                var runs = Enumerable.Range(1, seeds).Select(seed => results[(name, delay, seed)]).ToList();
                Table(name, runs);
            }
        }

        if (charts is not null)
        {
            foreach (var (name, _) in Streams.Where(s => s.Name.EndsWith("abrupt", StringComparison.Ordinal) || s.Name.EndsWith("abrupt rotation", StringComparison.Ordinal)))
            {
                var file = Path.Combine(charts, "loop-effectiveness-" + name.Split(' ', ',')[0].ToLowerInvariant() + ".svg");
                await File.WriteAllTextAsync(file, Chart(name, Enumerable.Range(1, seeds).Select(seed => results[(name, 500, seed)]).ToList()));
                Console.WriteLine($"chart: {file}");
            }
        }
    }

    private static List<PrequentialStrategy> Strategies(FeatureSchema schema)
    {
        var learner = Learners.LogisticRegression();
        return
        [
            PrequentialStrategy.Static(learner),
            PrequentialStrategy.Periodic(learner, everyLabels: 5_000, window: 5_000),
            PrequentialStrategy.Loop("loop (defaults)", clock => new FeedbackLoopBuilder("replay").WithSchema(schema).UseTimeProvider(clock).Build()),
            PrequentialStrategy.Loop("loop (DDM, drift only)", clock => new FeedbackLoopBuilder("replay").WithSchema(schema).UseTimeProvider(clock)
                .MonitorErrors(() => new Ddm()).RetrainWhen(Retrain.OnDrift()).Build()),
            PrequentialStrategy.Oracle(learner),
        ];
    }

    private static void Table(string stream, List<PrequentialResult> runs)
    {
        Console.WriteLine();
        Console.WriteLine($"**{stream}** (mean ± sd over {runs.Count} seeds; accuracy in %)");
        Console.WriteLine();
        Console.WriteLine("| strategy | before change | after change | last 10,000 | to oracle, mean (min) | worst 10,000 after the change vs periodic, mean (min) | detection delay | recovery | false alarms | promotions before change | of which after a false alarm | worst promotion before change, mean (min) | retrains | labels used | training s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var strategy in Order)
        {
            var s = runs.Select(r => r.Summarize(strategy)).ToList();
            var gaps = runs.Select(r => 100 * r.WorstWindowAfterChange(strategy, "periodic-5000")).ToList();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {strategy} | {Spread(s.Select(x => x.BeforeChange))} | {Spread(s.Select(x => x.AfterChanges))} | {Spread(s.Select(x => x.Last))} | {s.Average(x => x.ToOracle):0.000} ({s.Min(x => x.ToOracle):0.000}) | {gaps.Average():+0.0;-0.0;0.0} ({gaps.Min():+0.0;-0.0;0.0}) | {Mean(s.Select(x => x.DetectionDelays[0]))} | {Mean(s.Select(x => x.Recoveries[0]))} | {s.Average(x => x.FalseAlarms):0.0} | {s.Average(x => x.PromotionsBeforeChange):0.0} | {s.Average(x => x.FalseAlarmPromotions):0.0} | {Worst(s.Select(x => x.WorstPromotionBeforeChange))} | {s.Average(x => x.Trainings):0.0} | {s.Average(x => x.LabelsUsed):N0} | {s.Average(x => x.TrainingTime.TotalSeconds):0.00} |"));
        }
    }

    private static string Spread(IEnumerable<double> values)
    {
        var v = values.Select(x => 100 * x).ToList();
        var mean = v.Average();
        var sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, v.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:0.0} ± {sd:0.0}");
    }

    /// <summary>Mean (min) of the seeds' worst promotion, in accuracy points; seeds without a promotion are left out.</summary>
    private static string Worst(IEnumerable<double> gains)
    {
        var found = gains.Where(g => !double.IsNaN(g)).Select(g => 100 * g).ToList();
        return found.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{found.Average():+0.00;-0.00;0.00} ({found.Min():+0.00;-0.00;0.00})");
    }

    private static string Mean(IEnumerable<long?> values)
    {
        var list = values.ToList();
        var found = list.Where(v => v is not null).Select(v => (double)v!.Value).ToList();
        return found.Count == 0 ? $"none of {list.Count}" : string.Create(CultureInfo.InvariantCulture, $"{found.Average():N0}{(found.Count < list.Count ? $" ({list.Count - found.Count} missed)" : string.Empty)}");
    }

    /// <summary>An SVG line chart of accuracy per 1,000 predictions, averaged over the seeds, one line per strategy.</summary>
    private static string Chart(string stream, List<PrequentialResult> runs)
    {
        const int Width = 900, Height = 360, Left = 50, Top = 30, Plot = 600, PlotHeight = 280;
        string[] colours = ["#888888", "#1f77b4", "#ff7f0e", "#d62728", "#2ca02c"];
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\">{stream}: accuracy per 1,000 predictions (label delay 500, mean of {runs.Count} seeds)</text>");
        for (var p = 50; p <= 100; p += 10)
        {
            var y = Top + PlotHeight - ((p - 50) / 50.0 * PlotHeight);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + Plot}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#eee\"/><text x=\"{Left - 28}\" y=\"{y + 4:0.#}\">{p}%</text>");
        }

        var changeX = Left + (Change / 60_000.0 * Plot);
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{changeX:0.#}\" x2=\"{changeX:0.#}\" y1=\"{Top}\" y2=\"{Top + PlotHeight}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/><text x=\"{changeX + 4:0.#}\" y=\"{Top + 12}\">change</text>");
        for (var k = 0; k < Order.Length; k++)
        {
            var windows = runs.Select(r => PrequentialResult.Windows(r[Order[k]], 1_000)).ToList();
            var points = Enumerable.Range(0, windows[0].Count).Select(w =>
            {
                var x = Left + ((w + 0.5) / windows[0].Count * Plot);
                var y = Top + PlotHeight - ((Math.Clamp(windows.Average(s => s[w]) * 100, 50, 100) - 50) / 50.0 * PlotHeight);
                return string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");
            });
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colours[k]}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points)}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left + Plot + 20}\" x2=\"{Left + Plot + 40}\" y1=\"{Top + 10 + (k * 20)}\" y2=\"{Top + 10 + (k * 20)}\" stroke=\"{colours[k]}\" stroke-width=\"2\"/><text x=\"{Left + Plot + 46}\" y=\"{Top + 14 + (k * 20)}\">{Order[k]}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
