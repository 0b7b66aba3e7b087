using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace FeedbackLoop.Learning;

/// <summary>
/// Minimises a smooth objective with MathNet.Numerics' L-BFGS for the built-in learners, keeping the best point evaluated
/// and saying whether it converged.
/// </summary>
/// <remarks>
/// Training stops when the Euclidean norm of the gradient falls below the tolerance, or MathNet's relative gradient
/// criterion holds. If L-BFGS stops earlier (iteration limit, or a line search that can make no further progress), the
/// best point evaluated is returned and <see cref="LbfgsResult.Outcome"/> says that it did not converge.
/// </remarks>
internal static class Lbfgs
{
    /// <summary>L-BFGS history length: scipy's L-BFGS-B default (maxcor = 10), which scikit-learn's "lbfgs" solver uses.</summary>
    private const int Memory = 10;

    /// <summary>Relative parameter change below which MathNet's L-BFGS stops for lack of progress.</summary>
    private const double ParameterTolerance = 1e-12;

    /// <summary>Minimises <paramref name="objective"/> from <paramref name="start"/>.</summary>
    /// <param name="objective">Returns the objective's value and gradient at a point; it may throw <see cref="OperationCanceledException"/>.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="maxIterations">The iteration limit.</param>
    /// <param name="gradientTolerance">The gradient norm at which the minimisation has converged.</param>
    /// <returns>The best point evaluated, its value and gradient norm, and how the minimisation ended.</returns>
    /// <exception cref="InvalidOperationException">No finite objective value was evaluated.</exception>
    public static LbfgsResult Minimise(
        Func<Vector<double>, (double Value, Vector<double> Gradient)> objective, Vector<double> start, int maxIterations, double gradientTolerance)
    {
        var evaluations = 0;
        var bestValue = double.PositiveInfinity;
        Vector<double>? bestPoint = null;

        (double, Vector<double>) Tracked(Vector<double> theta)
        {
            evaluations++;
            var (value, gradient) = objective(theta);
            if (value < bestValue)
            {
                bestValue = value;
                bestPoint = theta.Clone();
            }

            return (value, gradient);
        }

        var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance, ParameterTolerance, 0.0, Memory, maxIterations);
        string? stopReason = null;
        var iterationLimit = string.Create(CultureInfo.InvariantCulture, $"reached the iteration limit ({maxIterations})");
        try
        {
            var result = minimizer.FindMinimum(ObjectiveFunction.Gradient(Tracked), start);
            if (result.Iterations >= maxIterations)
            {
                stopReason = iterationLimit;
            }
        }
        catch (MaximumIterationsException)
        {
            stopReason = iterationLimit;
        }
        catch (OptimizationException e)
        {
            stopReason = $"L-BFGS stopped early ({e.Message.TrimEnd('.')})";
        }

        if (bestPoint is null)
        {
            throw new InvalidOperationException("L-BFGS did not evaluate a finite objective; the training data may be degenerate.");
        }

        var (bestJ, bestGradient) = objective(bestPoint);
        var gradientNorm = bestGradient.L2Norm();
        var converged = gradientNorm < gradientTolerance || RelativeGradient(bestPoint, bestGradient, bestJ) < gradientTolerance;
        var outcome = converged
            ? "converged"
            : $"did NOT converge: {stopReason ?? "L-BFGS made no further progress"} before the gradient norm fell below {gradientTolerance.ToString("G3", CultureInfo.InvariantCulture)}; the best point found is used";
        return new LbfgsResult(bestPoint, bestJ, gradientNorm, evaluations + 1, outcome);
    }

    /// <summary>MathNet's relative gradient stopping criterion (MinimizerBase.ExitCriteriaSatisfied): max |gᵢ|·max(|θᵢ|, 1) / max(|J|, 1).</summary>
    private static double RelativeGradient(Vector<double> theta, Vector<double> gradient, double value)
    {
        var normaliser = Math.Max(Math.Abs(value), 1.0);
        var relative = 0.0;
        for (var i = 0; i < theta.Count; i++)
        {
            relative = Math.Max(relative, Math.Abs(gradient[i]) * Math.Max(Math.Abs(theta[i]), 1.0) / normaliser);
        }

        return relative;
    }
}

/// <summary>The result of <see cref="Lbfgs.Minimise"/>.</summary>
/// <param name="Point">The best point evaluated.</param>
/// <param name="Value">The objective there.</param>
/// <param name="GradientNorm">The Euclidean norm of the gradient there.</param>
/// <param name="Evaluations">How many times the objective was evaluated.</param>
/// <param name="Outcome">"converged", or why not.</param>
internal sealed record LbfgsResult(Vector<double> Point, double Value, double GradientNorm, int Evaluations, string Outcome);
