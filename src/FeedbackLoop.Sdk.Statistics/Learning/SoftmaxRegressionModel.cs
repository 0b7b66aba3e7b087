using System.Buffers;
using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop.Learning;

/// <summary>
/// A trained multinomial (softmax) logistic regression: P(class k | x) = exp(zₖ) / Σⱼ exp(zⱼ) with
/// zₖ = <see cref="Intercepts"/>[k] + <see cref="Weights"/>[k] · encode(x), classes in the order of the task's
/// <see cref="ModelTask.Classes"/>.
/// </summary>
/// <remarks>
/// <para>
/// encode(x) is the row the model was trained on, as described on <see cref="LogisticRegressionModel"/> (numeric features
/// winsorised and standardised, then one 0/1 column per training category); <see cref="WeightNames"/> names its columns.
/// A class that had no example with weight in training has intercept -∞ and probability 0.
/// </para>
/// <para>
/// For any finite input of its schema <see cref="Predict"/> returns a probability distribution over the classes: the
/// encoded values are bounded as for <see cref="LogisticRegressionModel"/>, the softmax is computed relative to the largest
/// zₖ, and if a crafted artifact's weights make some zₖ overflow to +∞, those classes share the probability equally (if
/// every trained class's zₖ overflows to -∞, the trained classes share it).
/// </para>
/// <para>Immutable and thread-safe: <see cref="Predict"/> may be called concurrently; it allocates only the output's copy of the probabilities.</para>
/// </remarks>
public sealed class SoftmaxRegressionModel : IPredictor, ILinearModel
{
    /// <summary>The most classes whose linear predictors are kept on the stack while scoring.</summary>
    private const int StackClasses = 128;

    private static readonly LinearModelArtifact Format = new("softmax regression", "FLSM", version: 1);

    private readonly double[][] _weights;
    private readonly double[] _intercepts;

    internal SoftmaxRegressionModel(FeatureEncoding encoding, ModelTask task, double[][] weights, double[] intercepts)
    {
        Encoding = encoding;
        Task = task;
        _weights = weights;
        _intercepts = intercepts;
        Weights = Array.AsReadOnly(weights.Select(w => (IReadOnlyList<double>)Array.AsReadOnly(w)).ToArray());
        Intercepts = Array.AsReadOnly(intercepts);
    }

    /// <summary>Gets the multiclass task, whose classes the weights, intercepts and probabilities follow.</summary>
    public ModelTask Task { get; }

    /// <summary>Gets the schema the model was trained on; <see cref="Predict"/> accepts vectors of this schema only.</summary>
    public FeatureSchema Schema => Encoding.Schema;

    /// <summary>Gets, per class, the weights in the standardised / one-hot space (all 0 for a class not trained).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Weights { get; }

    /// <summary>Gets, per class, the intercept (not penalised in training; the trained ones sum to 0; -∞ for a class not trained).</summary>
    public IReadOnlyList<double> Intercepts { get; }

    /// <summary>Gets the name of each weight's column: the feature name for a numeric feature, <c>feature=category</c> for a one-hot column.</summary>
    public IReadOnlyList<string> WeightNames => Encoding.ColumnNames;

    internal FeatureEncoding Encoding { get; }

    /// <summary>Scores one input.</summary>
    /// <param name="features">A vector of <see cref="Schema"/>.</param>
    /// <returns>A multiclass output: the most probable class and the per-class probabilities.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> follows another schema.</exception>
    public PredictionOutput Predict(FeatureVector features)
    {
        Encoding.CheckSchema(features);
        var classes = _intercepts.Length;
        double[]? rented = null;
        var z = classes <= StackClasses ? stackalloc double[classes] : (rented = ArrayPool<double>.Shared.Rent(classes)).AsSpan(0, classes);
        try
        {
            var max = double.NegativeInfinity;
            for (var k = 0; k < classes; k++)
            {
                z[k] = double.IsNegativeInfinity(_intercepts[k]) ? double.NegativeInfinity : Encoding.LinearPredictor(features, _weights[k], _intercepts[k]);
                max = Math.Max(max, z[k]);
            }

            var sum = 0.0;
            for (var k = 0; k < classes; k++)
            {
                // exp(z - max) for a finite max; with a +∞ max the classes at +∞ share the probability, and with a -∞ max
                // (every trained class's predictor overflowed downwards) the trained classes share it.
                z[k] = max switch
                {
                    double.PositiveInfinity => z[k] == max ? 1.0 : 0.0,
                    double.NegativeInfinity => double.IsFinite(_intercepts[k]) ? 1.0 : 0.0,
                    _ => Math.Exp(z[k] - max),
                };
                sum += z[k];
            }

            for (var k = 0; k < classes; k++)
            {
                z[k] /= sum;
            }

            return PredictionOutput.Multiclass(Task, z);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Serialises the model to the artifact that <see cref="LinearLearner.Load(ReadOnlySpan{byte}, FeatureSchema)"/> restores.</summary>
    /// <returns>The artifact bytes (format version 1, described on <see cref="SoftmaxRegressionLearner"/>).</returns>
    public byte[] ToArtifact() => Format.Write(Encoding, writer =>
    {
        writer.Write(Task.Classes.Count);
        foreach (var name in Task.Classes)
        {
            LinearModelArtifact.WriteString(writer, name);
        }

        writer.Write(Encoding.ColumnCount);
        for (var k = 0; k < _intercepts.Length; k++)
        {
            var trained = !double.IsNegativeInfinity(_intercepts[k]);
            writer.Write(trained ? (byte)1 : (byte)0);
            if (trained)
            {
                foreach (var w in _weights[k])
                {
                    writer.Write(w);
                }

                writer.Write(_intercepts[k]);
            }
        }
    });

    /// <exception cref="FormatException">The artifact is not a valid softmax regression artifact for <paramref name="schema"/>.</exception>
    internal static SoftmaxRegressionModel Read(ReadOnlySpan<byte> artifact, FeatureSchema schema) => Format.Read(artifact, schema, reader =>
    {
        var count = reader.ReadCount("class count", bytesPerItem: sizeof(int));
        var names = new string[count];
        for (var k = 0; k < count; k++)
        {
            names[k] = reader.ReadString();
        }

        ModelTask task;
        try
        {
            task = ModelTask.Multiclass(names);
        }
        catch (ArgumentException e)
        {
            throw reader.Invalid($"its classes are not a multiclass task ({e.Message.TrimEnd('.')})");
        }

        var columns = reader.ReadColumnCount();
        var weights = new double[count][];
        var intercepts = new double[count];
        for (var k = 0; k < count; k++)
        {
            switch (reader.ReadByte())
            {
                case 0:
                    weights[k] = new double[columns];
                    intercepts[k] = double.NegativeInfinity;
                    break;
                case 1:
                    weights[k] = reader.ReadDoubles(columns);
                    intercepts[k] = reader.ReadDouble();
                    if (!weights[k].All(double.IsFinite) || !double.IsFinite(intercepts[k]))
                    {
                        throw reader.Invalid($"a weight or the intercept of class '{names[k]}' is not finite");
                    }

                    break;
                case var flag:
                    throw reader.Invalid(string.Create(CultureInfo.InvariantCulture, $"class '{names[k]}' has the unknown trained flag {flag}"));
            }
        }

        if (intercepts.Count(double.IsFinite) < 2)
        {
            throw reader.Invalid("fewer than two of its classes were trained");
        }

        return new SoftmaxRegressionModel(reader.Encoding, task, weights, intercepts);
    });
}
