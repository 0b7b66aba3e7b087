using FeedbackLoop.Models;

namespace FeedbackLoop.Learning;

/// <summary>The argument checks the built-in learners' constructors share.</summary>
internal static class LearnerArguments
{
    /// <summary>Checks the L-BFGS settings of a penalised likelihood learner.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static void CheckLbfgs(double l2, int maxIterations, double gradientTolerance)
    {
        if (!(l2 >= 0.0) || !double.IsFinite(l2))
        {
            throw new ArgumentOutOfRangeException(nameof(l2), l2, "The L2 penalty must be finite and non-negative.");
        }

        if (maxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "The iteration limit must be at least 1.");
        }

        if (!(gradientTolerance > 0.0) || !double.IsFinite(gradientTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(gradientTolerance), gradientTolerance, "The gradient tolerance must be finite and positive.");
        }
    }

    /// <summary>
    /// The example weights divided by the largest of them, so that no sum of them can overflow (two weights of 1e308 are
    /// valid). An objective normalised by the total weight has the same minimiser on the scaled weights; ridge regression,
    /// whose objective is not normalised, divides its penalty by the same <paramref name="largest"/>.
    /// </summary>
    /// <param name="data">The training set.</param>
    /// <param name="largest">The largest weight (1 when every weight is 0, which leaves them as they are).</param>
    /// <returns>The scaled weights, in [0, 1].</returns>
    public static double[] ScaledWeights(TrainingSet data, out double largest)
    {
        var weights = data.Weights.ToArray();
        largest = weights.Length == 0 ? 0.0 : weights.Max();
        if (!(largest > 0.0))
        {
            largest = 1.0;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= largest;
        }

        return weights;
    }
}
