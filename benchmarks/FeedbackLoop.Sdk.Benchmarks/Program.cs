using BenchmarkDotNet.Running;
using FeedbackLoop.Benchmarks;

if (args is [DetectorEvaluationReport.Command])
{
    DetectorEvaluationReport.Print();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
