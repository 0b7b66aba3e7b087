using FeedbackLoop.Models;
using MathNet.Numerics;

namespace FeedbackLoop.Learning;

/// <summary>
/// A trained binary logistic regression: P(y = 1 | x) = sigmoid(<see cref="Intercept"/> + <see cref="Weights"/> · encode(x)).
/// </summary>
/// <remarks>
/// <para>
/// encode(x) is the row the model was trained on. Its columns, and so the order of <see cref="Weights"/> and
/// <see cref="WeightNames"/>, are: first the numeric features by ordinal, each winsorised to its training fences and
/// standardised as (x - mean) / scale with the mean and population standard deviation of the winsorised training values
/// (scale 1 for a feature constant in training); then, for each categorical feature by ordinal, one 0/1 column per
/// category seen in training, categories in ordinal string order (named <c>feature=category</c>). The fences lie ten
/// interquartile ranges beyond the training quartiles, so ordinary values are never clipped (see
/// <see cref="LogisticRegressionLearner"/>). A missing numeric value (NaN) is imputed with the training mean, that is 0
/// after standardising; a missing or unseen category encodes as all zeros, so it contributes nothing beyond the
/// intercept.
/// </para>
/// <para>
/// For any finite input of its schema <see cref="Predict"/> returns a probability in [0, 1]: it neither throws nor returns NaN. A
/// value beyond a fence is clipped to it, each standardised value is clamped to ±10⁶ standard deviations (which also
/// maps a difference or quotient that overflowed to ±∞ back to a finite value of the right sign, so an input of 1e308
/// next to one of -1e308 cannot make ∞ - ∞), the linear predictor is recomputed with scaled terms if its sum overflows,
/// and the sigmoid of ±∞ is 1 or 0.
/// </para>
/// <para>Immutable and thread-safe: <see cref="Predict"/> may be called concurrently, and it does not allocate.</para>
/// </remarks>
public sealed class LogisticRegressionModel : IPredictor, ILinearModel
{
    /// <summary>The decision threshold on the probability that the learner writes (format versions 1 and 2).</summary>
    internal const double DefaultThreshold = 0.5;

    private readonly double[] _weights;

    internal LogisticRegressionModel(FeatureEncoding encoding, double[] weights, double intercept, double threshold)
    {
        Encoding = encoding;
        _weights = weights;
        Intercept = intercept;
        Threshold = threshold;
        Weights = Array.AsReadOnly(weights);
    }

    /// <summary>Gets the schema the model was trained on; <see cref="Predict"/> accepts vectors of this schema only.</summary>
    public FeatureSchema Schema => Encoding.Schema;

    /// <summary>Gets the weights in the standardised / one-hot space, in the column order given in the remarks of this type.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Gets the name of each weight's column: the feature name for a numeric feature, <c>feature=category</c> for a one-hot column.</summary>
    public IReadOnlyList<string> WeightNames => Encoding.ColumnNames;

    /// <summary>Gets the intercept (not penalised in training).</summary>
    public double Intercept { get; }

    /// <summary>Gets the probability at or above which the predicted label is <see langword="true"/>.</summary>
    /// <value>0.5.</value>
    public double Threshold { get; }

    internal FeatureEncoding Encoding { get; }

    /// <summary>Gets the task: binary classification.</summary>
    public ModelTask Task => ModelTask.Binary;

    /// <summary>Scores one input.</summary>
    /// <param name="features">A vector of <see cref="Schema"/>.</param>
    /// <returns>A binary output whose score is the probability of the positive class.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> follows another schema.</exception>
    public PredictionOutput Predict(FeatureVector features)
    {
        Encoding.CheckSchema(features);
        var z = Encoding.LinearPredictor(features, _weights, Intercept);
        return PredictionOutput.Binary(SpecialFunctions.Logistic(z), Threshold);
    }

    /// <summary>Serialises the model to the artifact that <see cref="LinearLearner.Load(ReadOnlySpan{byte}, FeatureSchema)"/> restores.</summary>
    /// <returns>The artifact bytes (binary format version 2, described in <see cref="LogisticRegressionLearner"/>).</returns>
    public byte[] ToArtifact() => LogisticRegressionArtifact.Write(this);

    internal ReadOnlySpan<double> WeightSpan => _weights;
}
