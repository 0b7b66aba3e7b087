using System.Globalization;
using FeedbackLoop.Models;
using MathNet.Numerics.LinearAlgebra;

namespace FeedbackLoop.Learning;

/// <summary>
/// Trains L2-regularised multinomial (softmax) logistic regression with MathNet.Numerics' L-BFGS for a multiclass task, and
/// restores the models it trains from their artifacts.
/// </summary>
/// <remarks>
/// <para>
/// With K classes in the training window, training minimises
/// J(W, b) = Σᵢ vᵢ·(log Σₖ exp(zᵢₖ) - zᵢ,yᵢ) / Σᵢ vᵢ + (l2/2)·‖W‖²_F, with zᵢₖ = bₖ + Wₖ·xᵢ, vᵢ the example weights, and the
/// intercepts b not penalised; xᵢ is example i encoded as for <see cref="LogisticRegressionLearner"/> (numeric features
/// winsorised at wide robust fences and standardised, missing values imputed with the mean, categoricals one-hot).
/// scikit-learn 1.2 minimises Σᵢ vᵢ·CEᵢ / Σᵢ vᵢ + ‖W‖² / (2·C·Σᵢ vᵢ) for
/// <c>LogisticRegression(multi_class="multinomial")</c> with its lbfgs and newton-cg solvers, so J is that objective with
/// C = 1/(Σᵢ vᵢ·l2); the committed scikit-learn 1.2.1 references are matched to 1e-6. The intercepts are determined only
/// up to a common shift, which changes no probability; the model's intercepts sum to zero, as gradient solvers started
/// at zero leave them.
/// </para>
/// <para>
/// A declared class that has no example with weight in the window gets probability 0 (scikit-learn fits only the classes
/// it sees); its intercept is -∞ and its weights 0. At least two classes must have examples with weight.
/// </para>
/// <para>
/// Training starts from W = 0 and the intercepts that are optimal for it (the log of each class's weighted share), stops
/// when the Euclidean norm of ∇J falls below <see cref="GradientTolerance"/> or MathNet's relative gradient criterion
/// holds, and otherwise returns the best point evaluated with a description that says training did not converge.
/// </para>
/// <para>
/// The artifact is the <see cref="LogisticRegressionLearner"/> layout (frame, encoding, SHA-256) with the magic "FLSM",
/// format version 1, whose parameters are: int32 class count K and the K classes (strings, the task's order); int32 column
/// count D; then per class a byte (1 trained, 0 not) and, for a trained class, D float64 weights and the float64
/// intercept. Loading it gives bit-identical predictions.
/// </para>
/// </remarks>
public sealed class SoftmaxRegressionLearner : LinearLearner
{
    /// <summary>Initializes a new learner.</summary>
    /// <param name="l2">The L2 penalty strength on the weights; finite and non-negative. Default 1e-3.</param>
    /// <param name="maxIterations">The L-BFGS iteration limit; at least 1. Default 500.</param>
    /// <param name="gradientTolerance">The gradient norm at which training has converged; positive. Default 1e-8.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public SoftmaxRegressionLearner(double l2 = 1e-3, int maxIterations = 500, double gradientTolerance = 1e-8)
    {
        LearnerArguments.CheckLbfgs(l2, maxIterations, gradientTolerance);
        L2 = l2;
        MaxIterations = maxIterations;
        GradientTolerance = gradientTolerance;
    }

    /// <summary>Gets the L2 penalty strength on the weights (the intercepts are not penalised).</summary>
    /// <value>Default 1e-3.</value>
    public double L2 { get; }

    /// <summary>Gets the L-BFGS iteration limit.</summary>
    /// <value>Default 500.</value>
    public int MaxIterations { get; }

    /// <summary>Gets the Euclidean norm of the objective's gradient at which training has converged.</summary>
    /// <value>Default 1e-8.</value>
    public double GradientTolerance { get; }

    private protected override IPredictor Read(ReadOnlySpan<byte> artifact, FeatureSchema schema) => SoftmaxRegressionModel.Read(artifact, schema);

    private protected override ILinearModel Fit(TrainingSet data, CancellationToken cancellationToken, out string description)
    {
        var task = data.Task;
        var n = data.Count;
        if (task.Kind != ModelTaskKind.Multiclass)
        {
            throw new ArgumentException($"Softmax regression learns multiclass tasks; the training set is for a {task} task.", nameof(data));
        }

        if (n < 2)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Softmax regression needs at least 2 examples; got {n}."), nameof(data));
        }

        // The classes with weight, in the task's order; a multiclass training set holds declared classes only (TrainingSetBuilder checks).
        var exampleWeights = LearnerArguments.ScaledWeights(data, out _);
        var classWeight = new double[task.Classes.Count];
        var declared = new int[n];
        for (var i = 0; i < n; i++)
        {
            declared[i] = task.IndexOf(data.Labels[i].AsCategory());
            classWeight[declared[i]] += exampleWeights[i];
        }

        var trained = Enumerable.Range(0, classWeight.Length).Where(k => classWeight[k] > 0.0).ToArray();
        if (trained.Length < 2)
        {
            throw new ArgumentException(
                $"Softmax regression needs examples with weight of at least two classes; the window has {(trained.Length == 0 ? "none" : $"only '{task.Classes[trained[0]]}'")}.",
                nameof(data));
        }

        var position = new int[classWeight.Length];
        Array.Fill(position, -1);
        for (var t = 0; t < trained.Length; t++)
        {
            position[trained[t]] = t;
        }

        // An example of a class without weight has weight 0 itself: it drops out of the objective.
        var y = declared.Select(k => Math.Max(position[k], 0)).ToArray();
        var encoding = FeatureEncoding.Fit(data, out var winsorised, cancellationToken);
        var d = encoding.ColumnCount;
        var x = encoding.DesignMatrix(data);
        var shares = trained.Select(k => classWeight[k]).ToArray();
        var fit = Minimise(x, d, y, exampleWeights, shares, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (!fit.Point.All(double.IsFinite))
        {
            throw new InvalidOperationException("L-BFGS ended on a non-finite point; the training data may be degenerate.");
        }

        var weights = new double[classWeight.Length][];
        var intercepts = new double[classWeight.Length];
        var meanIntercept = Enumerable.Range(0, trained.Length).Average(t => fit.Point[(t * (d + 1)) + d]);
        for (var k = 0; k < weights.Length; k++)
        {
            var t = position[k];
            weights[k] = t < 0 ? new double[d] : fit.Point.SubVector(t * (d + 1), d).ToArray();
            intercepts[k] = t < 0 ? double.NegativeInfinity : fit.Point[(t * (d + 1)) + d] - meanIntercept;
        }

        var absent = task.Classes.Where((_, k) => position[k] < 0).ToList();
        description = string.Create(
            CultureInfo.InvariantCulture,
            $"L2-regularised softmax regression (l2 = {L2:G6}, L-BFGS): {trained.Length} classes × ({d} weights + intercept) from {data.Schema.NumericCount} numeric and {data.Schema.CategoricalCount} categorical features, {n} examples{(absent.Count == 0 ? string.Empty : $" (no example with weight of {string.Join(", ", absent.Select(c => $"'{c}'"))}: probability 0)")}; {fit.Outcome}; objective {fit.Value:G10}, gradient norm {fit.GradientNorm:G3}, {fit.Evaluations} objective evaluations{FeatureEncoding.WinsorisedNote(data.Schema, winsorised)}.");
        return new SoftmaxRegressionModel(encoding, task, weights, intercepts);
    }

    /// <summary>Minimises J over θ = (W₀, b₀, W₁, b₁, …), one block of d + 1 per trained class.</summary>
    private LbfgsResult Minimise(Matrix<double>? x, int d, int[] y, double[] weights, double[] classWeights, CancellationToken cancellationToken)
    {
        var n = y.Length;
        var classes = classWeights.Length;
        var totalWeight = weights.Sum();
        var block = d + 1;

        (double Value, Vector<double> Gradient) Evaluate(Vector<double> theta)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var w = Matrix<double>.Build.Dense(classes, d, (k, j) => theta[(k * block) + j]);
            var z = x is not null ? x.TransposeAndMultiply(w) : Matrix<double>.Build.Dense(n, classes);
            var residual = Matrix<double>.Build.Dense(n, classes);
            var loss = 0.0;
            for (var i = 0; i < n; i++)
            {
                var max = double.NegativeInfinity;
                for (var k = 0; k < classes; k++)
                {
                    z[i, k] += theta[(k * block) + d];
                    max = Math.Max(max, z[i, k]);
                }

                var sum = 0.0;
                for (var k = 0; k < classes; k++)
                {
                    sum += Math.Exp(z[i, k] - max);
                }

                var logSum = max + Math.Log(sum);
                loss += weights[i] * (logSum - z[i, y[i]]);
                for (var k = 0; k < classes; k++)
                {
                    var p = Math.Exp(z[i, k] - logSum);
                    residual[i, k] = weights[i] * (p - (k == y[i] ? 1.0 : 0.0)) / totalWeight;
                }
            }

            var value = loss / totalWeight;
            var gradient = Vector<double>.Build.Dense(classes * block);
            var weightGradient = x is not null ? residual.TransposeThisAndMultiply(x) : null;
            for (var k = 0; k < classes; k++)
            {
                for (var j = 0; j < d; j++)
                {
                    var wkj = theta[(k * block) + j];
                    value += 0.5 * L2 * wkj * wkj;
                    gradient[(k * block) + j] = weightGradient![k, j] + (L2 * wkj);
                }

                gradient[(k * block) + d] = residual.Column(k).Sum();
            }

            return (value, gradient);
        }

        // Start from W = 0 and the intercepts that are optimal for it: the log of each class's weighted share, centred.
        var start = Vector<double>.Build.Dense(classes * block);
        var logShares = classWeights.Select(w => Math.Log(w)).ToArray();
        var centre = logShares.Average();
        for (var k = 0; k < classes; k++)
        {
            start[(k * block) + d] = logShares[k] - centre;
        }

        return Lbfgs.Minimise(Evaluate, start, MaxIterations, GradientTolerance);
    }
}
