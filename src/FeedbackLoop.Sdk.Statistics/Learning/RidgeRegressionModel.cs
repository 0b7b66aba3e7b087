using FeedbackLoop.Models;

namespace FeedbackLoop.Learning;

/// <summary>A trained ridge regression: ŷ = <see cref="Intercept"/> + <see cref="Weights"/> · encode(x).</summary>
/// <remarks>
/// <para>
/// encode(x) is the row the model was trained on, as described on <see cref="LogisticRegressionModel"/> (numeric features
/// winsorised and standardised, then one 0/1 column per training category); <see cref="WeightNames"/> names its columns.
/// </para>
/// <para>
/// For any finite input of its schema <see cref="Predict"/> returns a finite value: the encoded values are bounded as for
/// <see cref="LogisticRegressionModel"/>, and a sum that overflows (possible only with a crafted artifact's weights) is
/// clamped to ±<see cref="double.MaxValue"/>.
/// </para>
/// <para>Immutable and thread-safe: <see cref="Predict"/> may be called concurrently, and it does not allocate.</para>
/// </remarks>
public sealed class RidgeRegressionModel : IPredictor, ILinearModel
{
    private static readonly LinearModelArtifact Format = new("ridge regression", "FLRG", version: 1);

    private readonly double[] _weights;

    internal RidgeRegressionModel(FeatureEncoding encoding, double[] weights, double intercept)
    {
        Encoding = encoding;
        _weights = weights;
        Intercept = intercept;
        Weights = Array.AsReadOnly(weights);
    }

    /// <summary>Gets the task: regression.</summary>
    public ModelTask Task => ModelTask.Regression;

    /// <summary>Gets the schema the model was trained on; <see cref="Predict"/> accepts vectors of this schema only.</summary>
    public FeatureSchema Schema => Encoding.Schema;

    /// <summary>Gets the weights in the standardised / one-hot space, in the column order of <see cref="WeightNames"/>.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Gets the name of each weight's column: the feature name for a numeric feature, <c>feature=category</c> for a one-hot column.</summary>
    public IReadOnlyList<string> WeightNames => Encoding.ColumnNames;

    /// <summary>Gets the intercept (not penalised in training).</summary>
    public double Intercept { get; }

    internal FeatureEncoding Encoding { get; }

    /// <summary>Scores one input.</summary>
    /// <param name="features">A vector of <see cref="Schema"/>.</param>
    /// <returns>A regression output holding the predicted value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> follows another schema.</exception>
    public PredictionOutput Predict(FeatureVector features)
    {
        Encoding.CheckSchema(features);
        var value = Encoding.LinearPredictor(features, _weights, Intercept);
        return PredictionOutput.Regression(Math.Clamp(value, -double.MaxValue, double.MaxValue));
    }

    /// <summary>Serialises the model to the artifact that <see cref="LinearLearner.Load(ReadOnlySpan{byte}, FeatureSchema)"/> restores.</summary>
    /// <returns>The artifact bytes (format version 1, described on <see cref="RidgeRegressionLearner"/>).</returns>
    public byte[] ToArtifact() => Format.Write(Encoding, writer =>
    {
        writer.Write(_weights.Length);
        foreach (var w in _weights)
        {
            writer.Write(w);
        }

        writer.Write(Intercept);
    });

    /// <exception cref="FormatException">The artifact is not a valid ridge regression artifact for <paramref name="schema"/>.</exception>
    internal static RidgeRegressionModel Read(ReadOnlySpan<byte> artifact, FeatureSchema schema) => Format.Read(artifact, schema, reader =>
    {
        var weights = reader.ReadWeights();
        var intercept = reader.ReadDouble();
        return weights.All(double.IsFinite) && double.IsFinite(intercept)
            ? new RidgeRegressionModel(reader.Encoding, weights, intercept)
            : throw reader.Invalid("a weight or the intercept is not finite");
    });
}
