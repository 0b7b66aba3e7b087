// A fresh host that references FeedbackLoop.Sdk.Statistics alone (built by .ci/run): one detector and one metric,
// with no dependency on the loop, dependency injection, options or logging.
using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation;

var adwin = new Adwin();
var random = new Random(7);
long? detectedAt = null;
for (var i = 0; i < 4_000 && detectedAt is null; i++)
{
    var error = random.NextDouble() < (i < 2_000 ? 0.1 : 0.5) ? 1.0 : 0.0;
    if (adwin.Update(error) == DriftState.Drift)
    {
        detectedAt = i;
    }
}

var auc = BinaryClassificationMetrics.RocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]);
Console.WriteLine($"ADWIN drift at {detectedAt}; ROC AUC {auc}");
if (detectedAt is not (>= 2_000) || Math.Abs(auc - 0.75) > 1e-12)
{
    Console.Error.WriteLine("expected ADWIN to detect the change after value 2,000 and a ROC AUC of 0.75");
    return 1;
}

// What the package brought into the host's output: Abstractions, MathNet and itself, nothing of the loop.
var unexpected = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
    .Select(Path.GetFileName)
    .Where(name => name is not null && (name.StartsWith("Microsoft.Extensions", StringComparison.Ordinal) || name == "FeedbackLoop.Sdk.dll"))
    .ToArray();
if (unexpected.Length > 0)
{
    Console.Error.WriteLine($"the statistics package pulled in the loop or Microsoft.Extensions: {string.Join(", ", unexpected)}");
    return 1;
}

Console.WriteLine("statistics consumer OK");
return 0;
