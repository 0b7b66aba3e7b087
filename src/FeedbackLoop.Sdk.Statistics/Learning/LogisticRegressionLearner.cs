using System.Globalization;
using FeedbackLoop.Models;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace FeedbackLoop.Learning;

/// <summary>
/// Trains L2-regularised binary logistic regression with MathNet.Numerics' L-BFGS, and restores the models it trains from
/// their artifacts.
/// </summary>
/// <remarks>
/// <para>
/// Training minimises J(w, b) = (1/n) Σᵢ logloss(yᵢ, sigmoid(b + w·xᵢ)) + (l2/2)·‖w‖², the intercept b not penalised, where
/// xᵢ is example i encoded as described on <see cref="LogisticRegressionModel"/> (numeric features winsorised at wide
/// robust fences and standardised with the mean and population standard deviation of the winsorised training values,
/// missing numeric values imputed with that mean, categoricals one-hot).
/// scikit-learn documents its L2 logistic regression objective as ½‖w‖² + C Σᵢ log(exp(-yᵢ(xᵢ·w + b)) + 1) with yᵢ in
/// {-1, 1} (User Guide, "Logistic regression"); dividing it by n·C shows that J is the same objective, with the same
/// minimiser, as <c>LogisticRegression(penalty="l2", C=1/(n·l2))</c> on the same encoded features. The fences lie ten
/// interquartile ranges beyond the quartiles, so on ordinary data nothing is winsorised and the encoding is
/// StandardScaler's; the committed scikit-learn 1.2.1 references are matched to 1e-6.
/// The log-loss is evaluated in the overflow-free form max(z, 0) - y·z + log1p(exp(-|z|)).
/// </para>
/// <para>
/// Extreme but finite values are contained. A value such as 1e300 in a window of ordinary rows is winsorised to its
/// feature's fence, which the quartiles place from the ordinary rows, so it cannot inflate the standard deviation until
/// every other row standardises to about 0 and the model degenerates to a constant; the description names the features
/// that had values winsorised, and how many. The mean and standard deviation are computed without overflow. The same
/// fences clip inputs at prediction time, and scoring never throws or returns NaN for a finite input (see
/// <see cref="LogisticRegressionModel"/>).
/// </para>
/// <para>
/// Training stops when the Euclidean norm of ∇J falls below <see cref="GradientTolerance"/>, or MathNet's relative gradient
/// criterion holds. If L-BFGS stops earlier (iteration limit, or a line search that can make no further progress), the
/// best point evaluated is returned and the model's description says that training did not converge.
/// </para>
/// <para>
/// The artifact is a little-endian binary layout, format version 2: the magic bytes "FLLR"; int32 version 2; int32 feature
/// count and, per feature in schema order, its name (int32 byte count + UTF-8) and kind (byte: 0 numeric, 1 categorical);
/// per numeric feature the float64 mean, scale, lower fence and upper fence (an infinite fence is no fence); per
/// categorical feature an int32 category count and the categories (strings, ordinal order); int32 weight count and the
/// float64 weights; float64 intercept; float64 threshold (0.5); and the SHA-256 of all preceding bytes. Loading it gives
/// bit-identical predictions. Version 1, written before the fences existed, has no fences and is still read, as a model
/// that clips nothing: it scores every input it scored before bit for bit, and writing it again gives version 2.
/// </para>
/// </remarks>
public sealed class LogisticRegressionLearner : LinearLearner
{
    /// <summary>Initializes a new learner.</summary>
    /// <param name="l2">The L2 penalty strength on the weights; finite and non-negative. Default 1e-3.</param>
    /// <param name="maxIterations">The L-BFGS iteration limit; at least 1. Default 500.</param>
    /// <param name="gradientTolerance">The gradient norm at which training has converged; positive. Default 1e-8.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public LogisticRegressionLearner(double l2 = 1e-3, int maxIterations = 500, double gradientTolerance = 1e-8)
    {
        LearnerArguments.CheckLbfgs(l2, maxIterations, gradientTolerance);
        L2 = l2;
        MaxIterations = maxIterations;
        GradientTolerance = gradientTolerance;
    }

    /// <summary>Gets the L2 penalty strength on the weights (the intercept is not penalised).</summary>
    /// <value>Default 1e-3.</value>
    public double L2 { get; }

    /// <summary>Gets the L-BFGS iteration limit.</summary>
    /// <value>Default 500.</value>
    public int MaxIterations { get; }

    /// <summary>Gets the Euclidean norm of the objective's gradient at which training has converged.</summary>
    /// <value>Default 1e-8.</value>
    public double GradientTolerance { get; }

    private protected override IPredictor Read(ReadOnlySpan<byte> artifact, FeatureSchema schema) => LogisticRegressionArtifact.Read(artifact, schema);

    private protected override ILinearModel Fit(TrainingSet data, CancellationToken cancellationToken, out string description)
    {
        var schema = data.Schema;
        var n = data.Count;
        if (data.Task.Kind != ModelTaskKind.Binary)
        {
            throw new ArgumentException($"Logistic regression learns binary tasks; the training set is for a {data.Task} task.", nameof(data));
        }

        if (n < 2)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Logistic regression needs at least 2 examples; got {n}."), nameof(data));
        }

        var exampleWeights = LearnerArguments.ScaledWeights(data, out _);
        var y = new double[n];
        var positives = 0;
        double positiveWeight = 0.0, negativeWeight = 0.0;
        for (var i = 0; i < n; i++)
        {
            // A binary training set holds binary labels only (TrainingSetBuilder checks each against the task).
            if (data.Labels[i].AsBoolean())
            {
                y[i] = 1.0;
                positives++;
                positiveWeight += exampleWeights[i];
            }
            else
            {
                negativeWeight += exampleWeights[i];
            }
        }

        if (positives == 0 || positives == n)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"All {n} examples have the label {(positives == 0 ? "false" : "true")}; logistic regression needs both classes."),
                nameof(data));
        }

        if (!(positiveWeight > 0.0) || !(negativeWeight > 0.0))
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The {(positiveWeight > 0.0 ? "negative" : "positive")} examples all have weight 0; logistic regression needs both classes with weight."),
                nameof(data));
        }

        var encoding = FeatureEncoding.Fit(data, out var winsorised, cancellationToken);
        var d = encoding.ColumnCount;
        var x = encoding.DesignMatrix(data);
        var fit = Minimise(x, d, y, exampleWeights, positiveWeight / negativeWeight, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var weights = fit.Point.SubVector(0, d).ToArray();
        var intercept = fit.Point[d];
        if (!weights.All(double.IsFinite) || !double.IsFinite(intercept))
        {
            throw new InvalidOperationException("L-BFGS ended on a non-finite point; the training data may be degenerate.");
        }

        description = string.Create(
            CultureInfo.InvariantCulture,
            $"L2-regularised logistic regression (l2 = {L2:G6}, L-BFGS): {d} weights + intercept from {schema.NumericCount} numeric and {schema.CategoricalCount} categorical features, {n} examples ({positives} positive); {fit.Outcome}; objective {fit.Value:G10}, gradient norm {fit.GradientNorm:G3}, {fit.Evaluations} objective evaluations{FeatureEncoding.WinsorisedNote(schema, winsorised)}.");
        return new LogisticRegressionModel(encoding, weights, intercept, LogisticRegressionModel.DefaultThreshold);
    }

    private LbfgsResult Minimise(Matrix<double>? x, int d, double[] y, double[] weights, double positiveOdds, CancellationToken cancellationToken)
    {
        var n = y.Length;
        var totalWeight = weights.Sum();

        // θ = (w, b); returns J(θ) and ∇J(θ).
        (double Value, Vector<double> Gradient) Evaluate(Vector<double> theta)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var w = theta.SubVector(0, d);
            var b = theta[d];
            var z = x is not null ? x * w : Vector<double>.Build.Dense(n);
            var residual = Vector<double>.Build.Dense(n);
            var loss = 0.0;
            for (var i = 0; i < n; i++)
            {
                var zi = z[i] + b;
                loss += weights[i] * (Math.Max(zi, 0.0) - (y[i] * zi) + SpecialFunctions.Log1p(Math.Exp(-Math.Abs(zi))));
                residual[i] = weights[i] * (SpecialFunctions.Logistic(zi) - y[i]) / totalWeight;
            }

            var value = (loss / totalWeight) + (0.5 * L2 * w.DotProduct(w));
            var gradient = Vector<double>.Build.Dense(d + 1);
            if (x is not null)
            {
                gradient.SetSubVector(0, d, x.TransposeThisAndMultiply(residual) + (L2 * w));
            }

            gradient[d] = residual.Sum();
            return (value, gradient);
        }

        // Start from w = 0 and the intercept that is optimal for it, the log-odds of the (weighted) positive rate.
        var start = Vector<double>.Build.Dense(d + 1);
        start[d] = Math.Log(positiveOdds);
        return Lbfgs.Minimise(Evaluate, start, MaxIterations, GradientTolerance);
    }
}
