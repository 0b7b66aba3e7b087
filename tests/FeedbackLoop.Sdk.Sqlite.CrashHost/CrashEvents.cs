namespace FeedbackLoop.Tests.Sqlite.CrashHost;

/// <summary>The crash test's events, the same for the child that records them and the test that checks them: prediction n and its label.</summary>
public sealed class CrashEvents(int seed)
{
    /// <summary>The loop's name.</summary>
    public const string LoopName = "crash";

    private readonly Random _ids = new(seed);

    /// <summary>Gets the schema of the predictions.</summary>
    public static FeatureSchema Schema { get; } = FeatureSchema.CreateBuilder().Numeric("x").Build();

    /// <summary>The next prediction and its label.</summary>
    /// <returns>The pair.</returns>
    public (Prediction Prediction, Feedback Label) Next()
    {
        var x = _ids.NextDouble();
        var prediction = new Prediction(new PredictionId(NewGuid()), LoopName, "host", DateTimeOffset.UnixEpoch, FeatureVector.Create(Schema, [x]), PredictionOutput.Binary(x));
        return (prediction, new Feedback(new FeedbackId(NewGuid()), prediction.Id, FeedbackKind.GroundTruth, Label.Binary(x > 0.5), "crash-test"));
    }

    private Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _ids.NextBytes(bytes);
        return new Guid(bytes);
    }
}
