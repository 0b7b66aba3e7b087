using System.Diagnostics;
using System.Globalization;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// The share of raw binary COPY that <see cref="PostgreSqlIngestBenchmarks"/> measures, read from interleaved pairs:
/// each pair runs <see cref="PostgreSqlIngestBenchmarks.RawBinaryCopy"/> and
/// <see cref="PostgreSqlIngestBenchmarks.EventStoreAppend"/> (the same methods, data and fresh schemas) one right after
/// the other, in alternating order, and the share is the median of the pairs' shares.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs every iteration of one method before the other's; on a virtual machine whose host takes a
/// varying part of the CPU (the steal time of <c>/proc/stat</c>, printed with the results) the machine's speed drifts
/// between the two runs and moves their ratio by more than the difference it should measure. A pair's two runs are
/// seconds apart, so the drift mostly cancels in its share. Timings are wall-clock per event, as in the benchmark.
/// </remarks>
internal static class PostgreSqlIngestPairs
{
    /// <summary>The command-line word that runs the pairs.</summary>
    public const string Command = "postgresql-ingest-pairs";

    private const int WarmupPairs = 2;

    /// <summary>Runs <c>postgresql-ingest-pairs [pairs]</c> for one and four instances, labels 500 and 5,000 late, and prints a table.</summary>
    /// <param name="args">The command line: the command, then how many measured pairs per case (default 15).</param>
    /// <returns>A task that completes when the table is printed.</returns>
    public static async Task RunAsync(string[] args)
    {
        var pairs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        Console.WriteLine($"| instances | labels late | `RawBinaryCopy` (median) | `EventStoreAppend` (median) | share of raw COPY: median of {pairs} pairs | quartiles | host steal |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var instances in new[] { 1, 4 })
        {
            foreach (var delay in new[] { 500, 5_000 })
            {
                var benchmark = new PostgreSqlIngestBenchmarks { Instances = instances, LabelDelay = delay };
                benchmark.Setup();
                try
                {
                    List<(double Raw, double Store)> measured = [];
                    var stealBefore = Steal();
                    for (var pair = 0; pair < WarmupPairs + pairs; pair++)
                    {
                        var rawFirst = pair % 2 == 0;
                        var first = await TimeAsync(benchmark, raw: rawFirst);
                        var second = await TimeAsync(benchmark, raw: !rawFirst);
                        if (pair >= WarmupPairs)
                        {
                            measured.Add(rawFirst ? (first, second) : (second, first));
                        }
                    }

                    var steal = Steal() is { } after && stealBefore is { } before ? $"{(after.Stolen - before.Stolen) / (after.Total - before.Total):P0}" : "n/a";
                    var shares = measured.Select(m => m.Raw / m.Store).Order().ToArray();
                    Console.WriteLine(
                        $"| {instances} | {delay:N0} | {Median(measured.Select(m => m.Raw)):F2} µs | {Median(measured.Select(m => m.Store)):F2} µs | **{Median(shares):P0}** | " +
                        $"{shares[shares.Length / 4]:P0}–{shares[3 * shares.Length / 4]:P0} | {steal} |");
                }
                finally
                {
                    benchmark.Cleanup();
                }
            }
        }
    }

    /// <summary>One run of a method on a fresh schema, in microseconds per event.</summary>
    private static async Task<double> TimeAsync(PostgreSqlIngestBenchmarks benchmark, bool raw)
    {
        benchmark.NewSchema();
        var started = Stopwatch.GetTimestamp();
        await (raw ? benchmark.RawBinaryCopy() : benchmark.EventStoreAppend());
        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / PostgreSqlIngestBenchmarks.EventsPerInvocation;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The machine's CPU time so far and the part of it the host took (steal), in clock ticks; <see langword="null"/> where <c>/proc/stat</c> does not exist.</summary>
    private static (double Stolen, double Total)? Steal()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        // The first line: "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (proc(5)); guest time is already in user.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(field => double.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        return (fields[7], fields.Sum());
    }
}
