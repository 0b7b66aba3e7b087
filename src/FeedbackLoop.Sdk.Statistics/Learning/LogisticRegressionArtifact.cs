using System.Globalization;

namespace FeedbackLoop.Learning;

/// <summary>
/// Writes the logistic regression artifact, binary format version 2, and reads versions 2 and 1: the
/// <see cref="LinearModelArtifact"/> layout with the magic "FLLR", followed by
/// <code>
/// int32       weight count D (= numeric count + sum of K), then D float64 weights (column order of LogisticRegressionModel)
/// float64     intercept
/// float64     threshold (in [0, 1])
/// </code>
/// Version 1 is the same without the two fences; it reads as a model with no fences (-inf, +inf), which clips nothing.
/// </summary>
internal static class LogisticRegressionArtifact
{
    private static readonly LinearModelArtifact Format = new("logistic regression", "FLLR", version: 2, versionWithoutFences: 1);

    public static byte[] Write(LogisticRegressionModel model) => Format.Write(model.Encoding, writer =>
    {
        var weights = model.WeightSpan;
        writer.Write(weights.Length);
        foreach (var w in weights)
        {
            writer.Write(w);
        }

        writer.Write(model.Intercept);
        writer.Write(model.Threshold);
    });

    /// <exception cref="FormatException">The artifact is not a valid version-2 or version-1 artifact for <paramref name="schema"/>.</exception>
    public static LogisticRegressionModel Read(ReadOnlySpan<byte> artifact, FeatureSchema schema) => Format.Read(artifact, schema, reader =>
    {
        var weights = reader.ReadWeights();
        var intercept = reader.ReadDouble();
        var threshold = reader.ReadDouble();
        if (!weights.All(double.IsFinite) || !double.IsFinite(intercept))
        {
            throw reader.Invalid("a weight or the intercept is not finite");
        }

        if (!(threshold >= 0.0 && threshold <= 1.0))
        {
            throw reader.Invalid(string.Create(CultureInfo.InvariantCulture, $"its threshold {threshold} is outside [0, 1]"));
        }

        return new LogisticRegressionModel(reader.Encoding, weights, intercept, threshold);
    });
}
