namespace FeedbackLoop.Tests.TestSupport;

/// <summary>Small builders of events for tests.</summary>
public static class Events
{
    public static readonly FeatureSchema TwoNumbers = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x2").Build();

    public static FeatureVector Vector(double x1 = 1.0, double x2 = 2.0) => FeatureVector.Create(TwoNumbers, [x1, x2]);

    public static Prediction Prediction(
        PredictionId? id = null, DateTimeOffset timestamp = default, bool predicted = true, string model = "test", string version = "1") =>
        new(id ?? PredictionId.New(), model, version, timestamp, Vector(), PredictionOutput.FromLabel(predicted), null);
}
