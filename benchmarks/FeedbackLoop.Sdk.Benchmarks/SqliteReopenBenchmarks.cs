using BenchmarkDotNet.Attributes;
using FeedbackLoop.Drift;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Sqlite;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Benchmarks;

/// <summary>
/// Restart on a large file: a loop whose SQLite file holds 1,000,000 predictions (100,000 of them labelled, a champion,
/// detector state) is built again on the file and serves its first prediction. The operation is a whole restart: build,
/// the first <c>Predict</c> (the champion's artifact read, checked and loaded; the loop's state restored) and disposal.
/// </summary>
[MemoryDiagnoser]
public class SqliteReopenBenchmarks
{
    private const int Predictions = 1_000_000;
    private const int LabelEvery = 10;

    private string _directory = null!;
    private string _connectionString = null!;
    private LabelledSample[] _samples = null!;
    private RotatingHyperplaneStream _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("feedbackloop-bench-").FullName;
        _connectionString = $"Data Source={Path.Combine(_directory, "reopen.db")}";
        _stream = new RotatingHyperplaneStream(seed: 5, dimensions: 10, driftPoints: [], noise: 0.05);
        _samples = _stream.Take(1_000).ToArray();
        var loop = Build();
        var history = TrainingSet.CreateBuilder(_stream.Schema, ModelTask.Binary);
        foreach (var sample in _samples)
        {
            history.Add(sample.Features, sample.Label, source: "history");
        }

        loop.SeedAsync(history.Build(), new AliasChange("bench", "initial"), CancellationToken.None).GetAwaiter().GetResult();
        for (var i = 0; i < Predictions; i++)
        {
            var sample = _samples[i % _samples.Length];
            var prediction = loop.Predict(sample.Features);
            if (i % LabelEvery == 0)
            {
                loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, sample.Label));
            }
        }

        loop.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        loop.Dispose();
        if (ReopenAndServeTheFirstPrediction() != "1")
        {
            throw new InvalidOperationException("The loop built again on the file does not serve the champion it seeded.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public string ReopenAndServeTheFirstPrediction()
    {
        using var loop = Build();
        return loop.Predict(_samples[0].Features).ModelVersion;
    }

    private IFeedbackLoop Build() =>
        new FeedbackLoopBuilder("loop")
            .WithSchema(_stream.Schema)
            .UseLearner(Learners.LogisticRegression())
            .UseSqlite(_connectionString)
            .MonitorErrors(() => new Adwin(direction: ChangeDirection.Up))
            .MonitorFeatures()
            .Build();
}
