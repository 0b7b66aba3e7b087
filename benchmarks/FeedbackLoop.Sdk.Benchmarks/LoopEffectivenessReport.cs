using System.Diagnostics;
using System.Globalization;
using System.Text;
using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.MLNet;
using FeedbackLoop.Models;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Simulation.Prequential;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Regenerates the tables and charts of docs/loop-effectiveness.md:
/// <c>dotnet run -c Release --project benchmarks/FeedbackLoop.Sdk.Benchmarks -- loop-effectiveness [seeds] [chart folder] [task seeds] [binary|tasks|lightgbm|detectors|all]</c>.
/// Every stream × label delay × seed is one prequential replay of every strategy on the same samples. The binary streams
/// run at label delays 0 and 500 with <c>seeds</c> seeds (default 5); the multiclass and regression streams at delay 500
/// with <c>task seeds</c> seeds (default 3), as do the binary streams with an abrupt change with LightGbm and the binary
/// streams with each error-stream detector and a feature-drift policy, to keep the whole run within minutes on two cores.
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
        ("STAGGER 1→2, gradual over ~5,000", seed => new ConceptDriftStream(
            new StaggerStream(seed, [0], [], noise: 0.05), new StaggerStream(seed + 1_000, [1], [], noise: 0.05), History + Change, 5_000, seed)),
        ("STAGGER 1→2→1, recurring", seed => new StaggerStream(seed, [0, 1, 0], [History + Change, History + 45_000], noise: 0.05)),
        ("hyperplane, abrupt rotation", seed => new RotatingHyperplaneStream(seed, 10, [History + Change])),
        ("hyperplane, gradual over ~5,000", seed => new ConceptDriftStream(
            new RotatingHyperplaneStream(seed, 10, []), new RotatingHyperplaneStream(seed, 10, [1]), History + Change, 5_000, seed)),
        ("hyperplane, incremental over 5,000", seed => new RotatingHyperplaneStream(seed, 10, [History + Change], transition: 5_000)),
        ("Agrawal F1→F3, abrupt", seed => new AgrawalStream(seed, [0, 2], [History + Change])),
        ("Agrawal F1→F3, gradual over ~5,000", seed => new ConceptDriftStream(
            new AgrawalStream(seed, [0], []), new AgrawalStream(seed + 1_000, [2], []), History + Change, 5_000, seed)),
        ("Agrawal F1→F3→F1, recurring", seed => new AgrawalStream(seed, [0, 2, 0], [History + Change, History + 45_000])),
    ];

    private static readonly string[] ChangeKinds = ["gradual", "incremental", "recurring"];

    // "loop (DDM, drift only)" is the loop's defaults before this page earned new ones, kept for the comparison.
    private static readonly string[] Order = ["static", "periodic-5000", "loop (DDM, drift only)", "loop (defaults)", "oracle"];

    /// <summary>
    /// The multiclass and regression streams, drifting at the same positions: a random RBF stream whose centroids are
    /// replaced at once (two seeds through <see cref="ConceptDriftStream"/>, MOA's way of an abrupt RBF change) or start
    /// moving (incremental); Friedman #1 with Ikonomovska et al.'s three drifts, the global ones changing at 30,000 and
    /// (back, or on to a third concept) at 45,000, the local one at 30,000, 40,000 and 50,000.
    /// </summary>
    private static readonly (string Name, string Chart, bool MLNet, Func<int, IDriftingStream> Create)[] TaskStreams =
    [
        ("RBF 3 classes, abrupt (new centroids)", "rbf-abrupt", true, seed => new ConceptDriftStream(new RandomRbfStream(seed), new RandomRbfStream(seed + 1_000), History + Change, 1, seed)),
        ("RBF 3 classes, incremental (centroids move 1e-4 a sample)", "rbf-incremental", false, seed => new RandomRbfStream(seed, speed: 1e-4, driftStart: History + Change)),
        ("Friedman, global recurring abrupt", "friedman-recurring", true, seed => new FriedmanStream(seed, FriedmanDrift.GlobalRecurringAbrupt, [History + Change, History + 45_000])),
        ("Friedman, global slow gradual (5,000)", "friedman-gradual", false, seed => new FriedmanStream(seed, FriedmanDrift.GlobalSlowGradual, [History + Change, History + 45_000], transition: 5_000)),
        ("Friedman, local expanding abrupt", "friedman-local", false, seed => new FriedmanStream(seed, FriedmanDrift.LocalExpandingAbrupt, [History + Change, History + 40_000, History + 50_000])),
    ];

    /// <summary>The task streams' strategies, each with the periodic and oracle strategies it is compared with.</summary>
    private static readonly (string Strategy, string Periodic, string Oracle)[] TaskOrder =
    [
        ("static", "periodic-5000", "oracle"),
        ("periodic-5000", "periodic-5000", "oracle"),
        ("loop (defaults)", "periodic-5000", "oracle"),
        ("oracle", "periodic-5000", "oracle"),
    ];

    private static readonly (string Strategy, string Periodic, string Oracle)[] MLNetOrder =
    [
        ("periodic-5000 (LightGbm)", "periodic-5000 (LightGbm)", "oracle (LightGbm)"),
        ("loop (UseMLNet)", "periodic-5000 (LightGbm)", "oracle (LightGbm)"),
        ("oracle (LightGbm)", "periodic-5000 (LightGbm)", "oracle (LightGbm)"),
    ];

    /// <summary>
    /// The loop's variants of the detector comparison: each error-stream detector of the library with its published
    /// defaults in place of the default ADWIN (policy, gate and everything else the defaults), and the defaults with a
    /// feature-drift policy added (every numeric feature monitored by <see cref="FeedbackLoopBuilder.MonitorFeatures"/>,
    /// with its default ADWIN and with Page-Hinkley, whose drift signals trigger <c>Retrain.OnDrift()</c> like the error
    /// stream's).
    /// </summary>
    private static readonly (string Name, Func<FeedbackLoopBuilder, FeedbackLoopBuilder> Configure)[] DetectorVariants =
    [
        ("ADWIN (default)", b => b),
        ("DDM", b => b.MonitorErrors(() => new Ddm())),
        ("EDDM", b => b.MonitorErrors(() => new Eddm())),
        ("HDDM-A", b => b.MonitorErrors(() => new HddmA())),
        ("HDDM-W", b => b.MonitorErrors(() => new HddmW())),
        ("Page-Hinkley", b => b.MonitorErrors(() => new PageHinkley())),
        ("CUSUM", b => b.MonitorErrors(() => new Cusum())),
        ("KSWIN", b => b.MonitorErrors(() => new Kswin())),
        ("ADWIN + feature drift (ADWIN, the default)", b => b.MonitorFeatures()),
        ("ADWIN + feature drift (Page-Hinkley)", b => b.MonitorFeatures(() => new PageHinkley())),
    ];

    public static async Task RunAsync(string[] args)
    {
        var seeds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var charts = args.Length > 2 && args[2] != "-" ? args[2] : null;
        var taskSeeds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
        var part = args.Length > 4 ? args[4] : "all";
        if (part is "all" or "binary")
        {
            await BinaryAsync(seeds, charts);
        }

        if (part is "all" or "tasks")
        {
            await TasksAsync(taskSeeds, charts);
        }

        if (part is "all" or "lightgbm")
        {
            await BinaryLightGbmAsync(taskSeeds);
        }

        if (part is "all" or "detectors")
        {
            await DetectorsAsync(taskSeeds);
        }
    }

    /// <summary>
    /// The binary streams at label delay 500 through the loop with each error-stream detector and with a feature-drift
    /// policy (<see cref="DetectorVariants"/>), beside periodic and oracle retraining: two tables across the streams (the
    /// post-change accuracy to the oracle's, and each seed's worst 10,000 after the change against periodic retraining,
    /// averaged) and one per variant over all the streams (detection, false alarms, promotions, retrains).
    /// </summary>
    private static async Task DetectorsAsync(int seeds)
    {
        const int Delay = 500;
        var watch = Stopwatch.StartNew();
        var learner = Learners.LogisticRegression();
        var results = await ReplayAsync(Streams, [Delay], seeds, (_, probe) =>
        [
            PrequentialStrategy.Periodic(learner, everyLabels: 5_000, window: 5_000),
            .. DetectorVariants.Select(v => PrequentialStrategy.Loop(v.Name, clock => v.Configure(new FeedbackLoopBuilder("replay").WithSchema(probe.Schema).UseTimeProvider(clock)).Build())),
            PrequentialStrategy.Oracle(learner),
        ]);

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count} binary replays of {DetectorVariants.Length} loop variants ({Streams.Length} streams × label delay {Delay} × {seeds} seeds) in {watch.Elapsed.TotalMinutes:0.0} min on {Environment.ProcessorCount} cores."));
        var runs = Streams.ToDictionary(s => s.Name, s => Enumerable.Range(1, seeds).Select(seed => results[(s.Name, Delay, seed)]).ToList());
        AcrossStreams("Post-change accuracy to the oracle's, mean over seeds", runs, (r, v) => r.Summarize(v).ToOracle, v => v.ToString("0.000", CultureInfo.InvariantCulture));
        AcrossStreams("Worst 10,000 after the change vs periodic retraining, accuracy points, each seed's worst averaged", runs, (r, v) => r.WorstWindowAfterChange(v, "periodic-5000"), v => Signed(v, regression: false));

        Console.WriteLine();
        Console.WriteLine($"**Over the {Streams.Length} streams** ({Streams.Length * seeds} replays per variant)");
        Console.WriteLine();
        Console.WriteLine("| error detector | to oracle, lowest stream mean (lowest seed) | detection delay, mean (missed) | false alarms per run | promotions after a false alarm per run | worst promotion before change, lowest seed | retrains per run | training s per run |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (variant, _) in DetectorVariants)
        {
            var perStream = runs.Values.Select(r => r.Select(x => x.Summarize(variant)).ToList()).ToList();
            var s = perStream.SelectMany(x => x).ToList();
            var lowest = perStream.Min(x => x.Average(y => y.ToOracle));
            var promotions = s.Select(x => x.WorstPromotionBeforeChange).Where(x => !double.IsNaN(x)).DefaultIfEmpty(double.NaN).ToList();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {variant} | {lowest:0.000} ({s.Min(x => x.ToOracle):0.000}) | {Mean(s.Select(x => x.DetectionDelays[0]))} | {s.Average(x => x.FalseAlarms):0.0} | {s.Average(x => x.FalseAlarmPromotions):0.00} | {(double.IsNaN(promotions[0]) ? "–" : Signed(promotions.Min(), regression: false))} | {s.Average(x => x.Trainings):0.0} | {s.Average(x => x.TrainingTime.TotalSeconds):0.00} |"));
        }
    }

    /// <summary>A table of one measure per loop variant (rows) and stream (columns), each the mean over the stream's seeds.</summary>
    private static void AcrossStreams(string title, Dictionary<string, List<PrequentialResult>> runs, Func<PrequentialResult, string, double> measure, Func<double, string> format)
    {
        Console.WriteLine();
        Console.WriteLine($"**{title}**");
        Console.WriteLine();
        Console.WriteLine($"| error detector | {string.Join(" | ", runs.Keys.Select(Short))} |");
        Console.WriteLine($"|---|{string.Concat(runs.Keys.Select(_ => "---:|"))}");
        foreach (var (variant, _) in DetectorVariants)
        {
            Console.WriteLine($"| {variant} | {string.Join(" | ", runs.Values.Select(r => format(r.Average(x => measure(x, variant)))))} |");
        }
    }

    /// <summary>A binary stream's short name for a column: its generator and the kind of its change.</summary>
    private static string Short(string stream)
    {
        var kind = ChangeKinds.FirstOrDefault(k => stream.Contains(k, StringComparison.Ordinal)) ?? "abrupt";
        return $"{stream.Split(' ', ',')[0]} {kind}";
    }

    private static async Task BinaryAsync(int seeds, string? charts)
    {
        var watch = Stopwatch.StartNew();
        var results = await ReplayAsync(Streams, Delays, seeds, (_, probe) => Strategies(probe.Schema));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count} replays ({Streams.Length} streams × {Delays.Length} label delays × {seeds} seeds) of 2,000 history + 60,000 predictions, a cycle every 1,000 predictions, in {watch.Elapsed.TotalMinutes:0.0} min on {Environment.ProcessorCount} cores."));
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
                await WriteChartAsync(file, Chart(name, [.. Enumerable.Range(1, seeds).Select(seed => results[(name, 500, seed)])], Order, 500));
            }
        }
    }

    /// <summary>
    /// Replays every stream × label delay × seed (2,000 history samples, 60,000 predictions, a cycle every 1,000), one
    /// replay per core at a time, each through the strategies made for its stream (given its name and a fresh instance).
    /// </summary>
    private static async Task<IReadOnlyDictionary<(string Stream, int Delay, int Seed), PrequentialResult>> ReplayAsync(
        IEnumerable<(string Name, Func<int, IDriftingStream> Create)> streams, int[] delays, int seeds, Func<string, IDriftingStream, List<PrequentialStrategy>> strategies)
    {
        var jobs = (from stream in streams from delay in delays from seed in Enumerable.Range(1, seeds) select (stream, delay, seed)).ToList();
        var results = new System.Collections.Concurrent.ConcurrentDictionary<(string Stream, int Delay, int Seed), PrequentialResult>();
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (job, token) =>
        {
            var options = new PrequentialOptions { History = History, Predictions = 60_000, LabelDelay = job.delay, CycleEvery = 1_000, Seed = job.seed };
            var made = strategies(job.stream.Name, job.stream.Create(job.seed));
            results[(job.stream.Name, job.delay, job.seed)] = await PrequentialEvaluation.RunAsync(job.stream.Create(job.seed), made, options, token);
        });

        return results;
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
        Console.WriteLine("| strategy | before change | after change | last 10,000 | to oracle, mean (min) | worst 10,000 after the change vs periodic, mean (min) | worst 10,000 of the mean over seeds vs periodic | detection delay | recovery | false alarms | promotions before change | of which after a false alarm | worst promotion before change, mean (min) | retrains | labels used | training s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var strategy in Order)
        {
            var s = runs.Select(r => r.Summarize(strategy)).ToList();
            var gaps = runs.Select(r => 100 * r.WorstWindowAfterChange(strategy, "periodic-5000")).ToList();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {strategy} | {Spread(s.Select(x => x.BeforeChange))} | {Spread(s.Select(x => x.AfterChanges))} | {Spread(s.Select(x => x.Last))} | {s.Average(x => x.ToOracle):0.000} ({s.Min(x => x.ToOracle):0.000}) | {gaps.Average():+0.0;-0.0;0.0} ({gaps.Min():+0.0;-0.0;0.0}) | {Signed(WorstOfMean(runs, strategy, "periodic-5000"), regression: false)} | {Mean(s.Select(x => x.DetectionDelays[0]))} | {Mean(s.Select(x => x.Recoveries[0]))} | {s.Average(x => x.FalseAlarms):0.0} | {s.Average(x => x.PromotionsBeforeChange):0.0} | {s.Average(x => x.FalseAlarmPromotions):0.0} | {Worst(s.Select(x => x.WorstPromotionBeforeChange))} | {s.Average(x => x.Trainings):0.0} | {s.Average(x => x.LabelsUsed):N0} | {s.Average(x => x.TrainingTime.TotalSeconds):0.00} |"));
        }
    }

    private static async Task TasksAsync(int seeds, string? charts)
    {
        const int Delay = 500;
        var watch = Stopwatch.StartNew();
        var results = await ReplayAsync(
            TaskStreams.Select(s => (s.Name, s.Create)), [Delay], seeds, (name, probe) => TaskStrategies(probe.Schema, probe.Task, TaskStreams.Single(s => s.Name == name).MLNet));

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count} multiclass and regression replays ({TaskStreams.Length} streams × label delay {Delay} × {seeds} seeds) of 2,000 history + 60,000 predictions, a cycle every 1,000 predictions, in {watch.Elapsed.TotalMinutes:0.0} min on {Environment.ProcessorCount} cores."));
        foreach (var (name, chart, mlnet, _) in TaskStreams)
        {
            var runs = Enumerable.Range(1, seeds).Select(seed => results[(name, Delay, seed)]).ToList();
            var order = mlnet ? [.. TaskOrder, .. MLNetOrder] : TaskOrder;
            TaskTable(name, runs, order);
            if (charts is not null)
            {
                await WriteChartAsync(Path.Combine(charts, $"loop-effectiveness-{chart}.svg"), Chart(name, runs, [.. order.Select(o => o.Strategy)], Delay));
            }
        }
    }

    /// <summary>
    /// The binary streams with an abrupt change, at label delay 500, with ML.NET's LightGbm for periodic, loop and oracle
    /// retraining (as many seeds as the multiclass and regression streams: LightGbm trains about 20 times slower than the
    /// built-in logistic regression).
    /// </summary>
    private static async Task BinaryLightGbmAsync(int seeds)
    {
        const int Delay = 500;
        var watch = Stopwatch.StartNew();
        var streams = Streams.Where(s => s.Name.EndsWith("abrupt", StringComparison.Ordinal) || s.Name.EndsWith("abrupt rotation", StringComparison.Ordinal)).ToList();
        var results = await ReplayAsync(streams, [Delay], seeds, (_, probe) => MLNetStrategies(probe.Schema, probe.Task));

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count} binary replays with LightGbm ({streams.Count} streams × label delay {Delay} × {seeds} seeds) in {watch.Elapsed.TotalMinutes:0.0} min on {Environment.ProcessorCount} cores."));
        foreach (var (name, _) in streams)
        {
            TaskTable(name, [.. Enumerable.Range(1, seeds).Select(seed => results[(name, Delay, seed)])], MLNetOrder);
        }
    }

    /// <summary>The built-in learner of the task (the strategies' default, and the loop's), and optionally ML.NET's LightGbm for the same three ways of retraining.</summary>
    private static List<PrequentialStrategy> TaskStrategies(FeatureSchema schema, ModelTask task, bool mlnet)
    {
        List<PrequentialStrategy> strategies =
        [
            PrequentialStrategy.Static(),
            PrequentialStrategy.Periodic(everyLabels: 5_000, window: 5_000),
            PrequentialStrategy.Loop("loop (defaults)", clock => new FeedbackLoopBuilder("replay").WithSchema(schema).ForTask(task).UseTimeProvider(clock).Build()),
            PrequentialStrategy.Oracle(),
        ];
        return mlnet ? [.. strategies, .. MLNetStrategies(schema, task)] : strategies;
    }

    /// <summary>Periodic, loop and oracle retraining with ML.NET's default pipeline (one-hot and LightGbm) and hyper-parameters.</summary>
    private static List<PrequentialStrategy> MLNetStrategies(FeatureSchema schema, ModelTask task) =>
    [
        PrequentialStrategy.Periodic(new MLNetTrainer(), everyLabels: 5_000, window: 5_000, name: "periodic-5000 (LightGbm)"),
        PrequentialStrategy.Loop("loop (UseMLNet)", clock => new FeedbackLoopBuilder("replay").WithSchema(schema).ForTask(task).UseMLNet().UseTimeProvider(clock).Build()),
        PrequentialStrategy.Oracle(new MLNetTrainer(), name: "oracle (LightGbm)"),
    ];

    private static void TaskTable(string stream, List<PrequentialResult> runs, (string Strategy, string Periodic, string Oracle)[] order)
    {
        var regression = !runs[0].HigherIsBetter;
        var metric = regression ? "mean absolute error (lower is better)" : "accuracy in %";
        var worst = regression
            ? "worst 10,000 after the change vs periodic, MAE(periodic) − MAE, mean (min) | worst 10,000 of the mean over seeds vs periodic"
            : "worst 10,000 after the change vs periodic, mean (min) | worst 10,000 of the mean over seeds vs periodic";
        Console.WriteLine();
        Console.WriteLine($"**{stream}** (mean ± sd over {runs.Count} seeds; {metric})");
        Console.WriteLine();
        Console.WriteLine($"| strategy | before change | after change | last 10,000 | to oracle, mean (min) | {worst} | detection delay | recovery | false alarms | promotions before change | worst promotion before change, mean (min) | retrains | labels used | training s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (strategy, periodic, oracle) in order)
        {
            var s = runs.Select(r => r.Summarize(strategy, oracle)).ToList();
            var gaps = runs.Select(r => r.WorstWindowAfterChange(strategy, periodic)).ToList();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {strategy} | {Value(s.Select(x => x.BeforeChange), regression)} | {Value(s.Select(x => x.AfterChanges), regression)} | {Value(s.Select(x => x.Last), regression)} | {s.Average(x => x.ToOracle):0.000} ({s.Min(x => x.ToOracle):0.000}) | {Difference(gaps, regression)} | {Signed(WorstOfMean(runs, strategy, periodic), regression)} | {Mean(s.Select(x => x.DetectionDelays[0]))} | {Mean(s.Select(x => x.Recoveries[0]))} | {s.Average(x => x.FalseAlarms):0.0} | {s.Average(x => x.PromotionsBeforeChange):0.0} | {WorstGain(s.Select(x => x.WorstPromotionBeforeChange), regression)} | {s.Average(x => x.Trainings):0.0} | {s.Average(x => x.LabelsUsed):N0} | {s.Average(x => x.TrainingTime.TotalSeconds):0.00} |"));
        }
    }

    /// <summary>
    /// The worst window after the change of the mean over seeds: each 10,000-prediction window's difference from the
    /// reference averaged over the seeds, then the lowest of those (the per-seed worst averages the worst of each seed).
    /// </summary>
    private static double WorstOfMean(List<PrequentialResult> runs, string strategy, string reference)
    {
        var windows = runs.Select(r => r.WindowsAfterChange(strategy, reference)).ToList();
        return Enumerable.Range(0, windows[0].Count).Min(k => windows.Average(w => w[k]));
    }

    /// <summary>Mean ± sd: accuracy in % for a classification, the mean absolute error itself for a regression.</summary>
    private static string Value(IEnumerable<double> values, bool regression)
    {
        if (!regression)
        {
            return Spread(values);
        }

        var v = values.ToList();
        var mean = v.Average();
        var sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, v.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:0.000} ± {sd:0.000}");
    }

    /// <summary>Mean (min) of differences oriented so that higher is better: accuracy points, or MAE units for a regression.</summary>
    private static string Difference(List<double> differences, bool regression) =>
        $"{Signed(differences.Average(), regression)} ({Signed(differences.Min(), regression)})";

    /// <summary>A difference oriented so that higher is better: in accuracy points, or in MAE units for a regression.</summary>
    private static string Signed(double difference, bool regression) => regression
        ? difference.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)
        : (100 * difference).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);

    private static string WorstGain(IEnumerable<double> gains, bool regression)
    {
        if (!regression)
        {
            return Worst(gains);
        }

        var found = gains.Where(g => !double.IsNaN(g)).ToList();
        return found.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{found.Average():+0.000;-0.000;0.000} ({found.Min():+0.000;-0.000;0.000})");
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

    private static async Task WriteChartAsync(string file, string svg)
    {
        await File.WriteAllTextAsync(file, svg);
        Console.WriteLine($"chart: {file}");
    }

    /// <summary>
    /// An SVG line chart of the task's metric per 1,000 predictions (accuracy, or the mean absolute error of a
    /// regression), averaged over the seeds, one line per strategy, with a dashed line at each change.
    /// </summary>
    private static string Chart(string stream, List<PrequentialResult> runs, string[] strategies, int delay)
    {
        const int Width = 960, Height = 360, Left = 50, Top = 30, Plot = 600, PlotHeight = 280;
        string[] colours = ["#888888", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];
        var regression = !runs[0].HigherIsBetter;
        var lines = strategies.Select(strategy =>
        {
            var windows = runs.Select(r => PrequentialResult.Windows(r[strategy], 1_000)).ToList();
            return Enumerable.Range(0, windows[0].Count).Select(w => windows.Average(x => x[w]) * (regression ? 1 : 100)).ToList();
        }).ToList();
        var (low, high, step) = regression
            ? (0.0, Math.Ceiling(lines.Max(l => l.Max())), 0.5)
            : (Math.Floor(lines.Min(l => l.Min()) / 10) * 10, 100.0, 10.0);
        double Y(double value) => Top + PlotHeight - ((value - low) / (high - low) * PlotHeight);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\">{stream}: {(regression ? "mean absolute error" : "accuracy")} per 1,000 predictions (label delay {delay}, mean of {runs.Count} seeds)</text>");
        for (var value = low; value <= high + 1e-9; value += step)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + Plot}\" y1=\"{Y(value):0.#}\" y2=\"{Y(value):0.#}\" stroke=\"#eee\"/><text x=\"{Left - 36}\" y=\"{Y(value) + 4:0.#}\">{(regression ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture) + "%")}</text>");
        }

        foreach (var change in runs[0].DriftPoints)
        {
            var x = Left + ((double)change / runs[0].Options.Predictions * Plot);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{Top}\" y2=\"{Top + PlotHeight}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/><text x=\"{x + 4:0.#}\" y=\"{Top + 12}\">change</text>");
        }

        for (var k = 0; k < lines.Count; k++)
        {
            var points = lines[k].Select((value, w) =>
                string.Create(CultureInfo.InvariantCulture, $"{Left + ((w + 0.5) / lines[k].Count * Plot):0.#},{Y(value):0.#}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colours[k]}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points)}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left + Plot + 20}\" x2=\"{Left + Plot + 40}\" y1=\"{Top + 10 + (k * 20)}\" y2=\"{Top + 10 + (k * 20)}\" stroke=\"{colours[k]}\" stroke-width=\"2\"/><text x=\"{Left + Plot + 46}\" y=\"{Top + 14 + (k * 20)}\">{strategies[k]}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
