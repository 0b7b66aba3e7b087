using System.Globalization;
using FeedbackLoop.Models;
using MathNet.Numerics.LinearAlgebra;

namespace FeedbackLoop.Learning;

/// <summary>
/// Trains ridge regression (L2-penalised least squares) for a regression task in closed form, and restores the models it
/// trains from their artifacts.
/// </summary>
/// <remarks>
/// <para>
/// Training minimises Σᵢ vᵢ·(yᵢ - b - w·xᵢ)² + α·‖w‖², vᵢ the example weights and the intercept b not penalised, where xᵢ
/// is example i encoded as for <see cref="LogisticRegressionLearner"/> (numeric features winsorised at wide robust fences
/// and standardised, missing values imputed with the mean, categoricals one-hot). This is scikit-learn's <c>Ridge</c>
/// objective (User Guide, "Ridge regression"; <c>alpha</c> has its meaning and default, 1.0), which fits the intercept on
/// data centred with the weighted means; the committed scikit-learn 1.2.1 references are matched to 1e-6. The solution
/// solves (XcᵀVXc + αI)·w = XcᵀV·yc by Cholesky, with Xc and yc centred by the weighted means and b = ȳ - x̄·w. The
/// labels are scaled by a power of two, which is exact, so targets near the double range cannot overflow a sum.
/// </para>
/// <para>
/// The artifact is the <see cref="LogisticRegressionLearner"/> layout (frame, encoding, SHA-256) with the magic "FLRG",
/// format version 1, whose parameters are the int32 weight count and float64 weights and the float64 intercept. Loading
/// it gives bit-identical predictions.
/// </para>
/// </remarks>
public sealed class RidgeRegressionLearner : LinearLearner
{
    /// <summary>Initializes a new learner.</summary>
    /// <param name="alpha">The penalty α on the squared norm of the weights; finite and positive (0 would leave the one-hot columns' system singular). Default 1.0, scikit-learn's.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not finite and positive.</exception>
    public RidgeRegressionLearner(double alpha = 1.0)
    {
        if (!(alpha > 0.0) || !double.IsFinite(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The ridge penalty must be finite and positive.");
        }

        Alpha = alpha;
    }

    /// <summary>Gets the penalty α on the squared norm of the weights (the intercept is not penalised).</summary>
    /// <value>Default 1.0.</value>
    public double Alpha { get; }

    private protected override IPredictor Read(ReadOnlySpan<byte> artifact, FeatureSchema schema) => RidgeRegressionModel.Read(artifact, schema);

    private protected override ILinearModel Fit(TrainingSet data, CancellationToken cancellationToken, out string description)
    {
        var n = data.Count;
        if (data.Task.Kind != ModelTaskKind.Regression)
        {
            throw new ArgumentException($"Ridge regression learns regression tasks; the training set is for a {data.Task} task.", nameof(data));
        }

        if (n < 2)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Ridge regression needs at least 2 examples; got {n}."), nameof(data));
        }

        // Σ vᵢ(yᵢ - b - w·xᵢ)² + α‖w‖² divided by the largest weight: the same minimiser, with sums that cannot overflow.
        var v = LearnerArguments.ScaledWeights(data, out var largestWeight);
        var alpha = Alpha / largestWeight;
        var totalWeight = v.Sum();
        if (!(totalWeight > 0.0))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"All {n} examples have weight 0; ridge regression needs weight."), nameof(data));
        }

        // A regression training set holds finite numeric labels only (Label.Numeric refuses others). Scaling them by
        // 2^-e, exact, keeps every sum below of magnitude about n; the solution scales back by 2^e.
        var largest = 0.0;
        foreach (var label in data.Labels)
        {
            largest = Math.Max(largest, Math.Abs(label.AsDouble()));
        }

        var exponent = largest > 0.0 ? Math.ILogB(largest) : 0;
        var y = Vector<double>.Build.Dense(n, i => Math.ScaleB(data.Labels[i].AsDouble(), -exponent));
        var yMean = WeightedMean(y, v, totalWeight);
        var encoding = FeatureEncoding.Fit(data, out var winsorised, cancellationToken);
        var d = encoding.ColumnCount;
        var weights = new double[d];
        var intercept = yMean;
        if (encoding.DesignMatrix(data) is { } x)
        {
            var xMeans = Vector<double>.Build.Dense(d, j => WeightedMean(x.Column(j), v, totalWeight));
            var sqrtV = Vector<double>.Build.Dense(n, i => Math.Sqrt(v[i]));
            var xc = Matrix<double>.Build.Dense(n, d, (i, j) => (x[i, j] - xMeans[j]) * sqrtV[i]);
            var yc = Vector<double>.Build.Dense(n, i => (y[i] - yMean) * sqrtV[i]);
            var gram = xc.TransposeThisAndMultiply(xc) + (alpha * Matrix<double>.Build.DenseIdentity(d));
            cancellationToken.ThrowIfCancellationRequested();
            var w = gram.Cholesky().Solve(xc.TransposeThisAndMultiply(yc));
            intercept = yMean - xMeans.DotProduct(w);
            weights = w.Select(value => Math.ScaleB(value, exponent)).ToArray();
        }

        intercept = Math.ScaleB(intercept, exponent);
        if (!weights.All(double.IsFinite) || !double.IsFinite(intercept))
        {
            throw new InvalidOperationException("The ridge solution is not finite; the training data may be degenerate.");
        }

        description = string.Create(
            CultureInfo.InvariantCulture,
            $"Ridge regression (alpha = {Alpha:G6}, Cholesky): {d} weights + intercept from {data.Schema.NumericCount} numeric and {data.Schema.CategoricalCount} categorical features, {n} examples{FeatureEncoding.WinsorisedNote(data.Schema, winsorised)}.");
        return new RidgeRegressionModel(encoding, weights, intercept);
    }

    private static double WeightedMean(Vector<double> values, double[] weights, double totalWeight)
    {
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i] * values[i];
        }

        return sum / totalWeight;
    }
}
