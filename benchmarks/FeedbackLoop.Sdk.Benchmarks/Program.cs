using BenchmarkDotNet.Running;
using FeedbackLoop.Benchmarks;

if (args is [DetectorEvaluationReport.Command])
{
    DetectorEvaluationReport.Print();
    return;
}

if (args is [LoopEffectivenessReport.Command, ..])
{
    await LoopEffectivenessReport.RunAsync(args);
    return;
}

if (args is [PostgreSqlIngestPairs.Command, ..])
{
    await PostgreSqlIngestPairs.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
