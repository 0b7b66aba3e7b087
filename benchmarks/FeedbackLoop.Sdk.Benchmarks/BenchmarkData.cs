using FeedbackLoop.Drift;
using FeedbackLoop.Numerics;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Benchmarks;

/// <summary>The benchmark data, regenerated bit for bit by benchmarks/reference/time_scipy_two_sample.py.</summary>
internal static class BenchmarkData
{
    /// <summary>Value i is <c>scale · u_i + shift</c>, with <c>u_i</c> the i-th SplitMix64 double from the seed.</summary>
    public static double[] Uniform(ulong seed, int count, double scale = 10, double shift = 0)
    {
        var random = new SplitMix64(seed);
        var values = new double[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (scale * random.NextDouble()) + shift;
        }

        return values;
    }

    /// <summary>Gets the ingest benchmarks' schema: 10 numeric features.</summary>
    public static FeatureSchema TenNumericFeatures { get; } = Enumerable.Range(0, 10).Aggregate(FeatureSchema.CreateBuilder(), (schema, f) => schema.Numeric($"x{f}")).Build();

    /// <summary>
    /// The ingest benchmarks' events, in batches: <paramref name="pairs"/> predictions of <see cref="TenNumericFeatures"/>,
    /// one a millisecond, and the ground truth of each arriving <paramref name="labelDelay"/> predictions later.
    /// </summary>
    public static LoopEvent[][] IngestBatches(int pairs, int labelDelay, int batchSize)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var random = new Random(7);
        var predictions = new Prediction[pairs];
        List<LoopEvent> events = new(2 * pairs);
        for (var i = 0; i < pairs + labelDelay; i++)
        {
            if (i < pairs)
            {
                var values = new double[TenNumericFeatures.NumericCount];
                for (var f = 0; f < values.Length; f++)
                {
                    values[f] = random.NextDouble();
                }

                predictions[i] = new Prediction(PredictionId.New(), "bench", "1", start.AddMilliseconds(i), FeatureVector.Create(TenNumericFeatures, values), PredictionOutput.Binary(values[0]));
                events.Add(LoopEvent.For(predictions[i], predictions[i].Timestamp));
            }

            if (i >= labelDelay)
            {
                var labelled = predictions[i - labelDelay];
                events.Add(LoopEvent.For(Feedback.GroundTruth(labelled.Id, labelled.Output.Score > 0.5), labelled.Timestamp.AddSeconds(1)));
            }
        }

        return events.Chunk(batchSize).ToArray();
    }

    /// <summary>Gets the Npgsql connection string of the server the PostgreSQL benchmarks use (FEEDBACKLOOP_POSTGRES).</summary>
    public static string PostgreSqlConnectionString =>
        Environment.GetEnvironmentVariable("FEEDBACKLOOP_POSTGRES") is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException("Set FEEDBACKLOOP_POSTGRES to an Npgsql connection string (see README).");

    /// <summary>Drops a schema a benchmark created, with everything in it.</summary>
    /// <param name="schema">The schema's name (a plain identifier the benchmark made).</param>
    public static void DropPostgreSqlSchema(string schema)
    {
        using var dataSource = Npgsql.NpgsqlDataSource.Create(PostgreSqlConnectionString);
        using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE;");
        drop.ExecuteNonQuery();
    }
}
