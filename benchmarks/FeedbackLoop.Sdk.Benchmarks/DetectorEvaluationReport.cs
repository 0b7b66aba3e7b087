using System.Globalization;
using FeedbackLoop.Drift;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Prints the detector evaluation table of docs/drift-detectors.md:
/// <c>dotnet run -c Release --project benchmarks/FeedbackLoop.Sdk.Benchmarks -- evaluate-detectors</c>.
/// </summary>
internal static class DetectorEvaluationReport
{
    public const string Command = "evaluate-detectors";

    public static void Print()
    {
        var options = new DetectorEvaluationOptions();
        KeyValuePair<string, Func<IDriftDetector>>[] detectors =
        [
            new("ADWIN", () => new Adwin()),
            new("DDM", () => new Ddm()),
            new("EDDM", () => new Eddm()),
            new("HDDM_A", () => new HddmA()),
            new("HDDM_W", () => new HddmW()),
            new("Page-Hinkley", () => new PageHinkley()),
            new("CUSUM", () => new Cusum()),
            new("KSWIN", () => new Kswin()),
        ];

        IReadOnlyList<DetectorEvaluationResult> results = DetectorEvaluation.Run(detectors, options);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{options.Runs} seeded SEA error streams per scenario, {options.StreamLength:N0} values each; drift at {options.DriftPosition:N0}, gradual width {options.GradualWidth:N0}, detection horizon {options.DetectionHorizon:N0}."));
        Console.WriteLine();
        Console.WriteLine("| detector | mean values between false alarms (stationary) | abrupt: detected / missed | abrupt: mean delay | abrupt: false alarms before | gradual: detected / missed | gradual: mean delay | gradual: false alarms before |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (DetectorEvaluationResult r in results)
        {
            string mtfa = double.IsPositiveInfinity(r.MeanTimeBetweenFalseAlarms)
                ? string.Create(CultureInfo.InvariantCulture, $"> {r.StationaryValues:N0} (none)")
                : r.MeanTimeBetweenFalseAlarms.ToString("N0", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Detector} | {mtfa} | {r.Abrupt.Detected} / {r.Abrupt.Missed} | {Delay(r.Abrupt)} | {r.Abrupt.FalseAlarms} | {r.Gradual.Detected} / {r.Gradual.Missed} | {Delay(r.Gradual)} | {r.Gradual.FalseAlarms} |"));
        }
    }

    private static string Delay(DriftScenarioOutcome outcome) =>
        double.IsNaN(outcome.MeanDelay) ? "–" : outcome.MeanDelay.ToString("N0", CultureInfo.InvariantCulture);
}
