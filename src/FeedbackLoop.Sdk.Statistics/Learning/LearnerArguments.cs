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
}
