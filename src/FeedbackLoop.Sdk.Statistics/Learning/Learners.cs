namespace FeedbackLoop.Learning;

/// <summary>Creates the built-in learners: trainers that also restore the models they produce from their artifacts.</summary>
/// <remarks>Every factory returns a new, immutable, thread-safe learner; nothing is shared between calls.</remarks>
public static class Learners
{
    /// <summary>Creates an L2-regularised binary logistic regression learner (L-BFGS, standardised numeric features, one-hot categoricals).</summary>
    /// <param name="l2">The L2 penalty strength on the weights (not the intercept); finite and non-negative. Default 1e-3.</param>
    /// <param name="maxIterations">The L-BFGS iteration limit; at least 1. Default 500.</param>
    /// <param name="gradientTolerance">The Euclidean norm of the objective's gradient at which training has converged; positive. Default 1e-8.</param>
    /// <returns>The learner.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <remarks>See <see cref="LogisticRegressionLearner"/> for the objective and the feature encoding.</remarks>
    public static LogisticRegressionLearner LogisticRegression(double l2 = 1e-3, int maxIterations = 500, double gradientTolerance = 1e-8) =>
        new(l2, maxIterations, gradientTolerance);

    /// <summary>Creates an L2-regularised multinomial (softmax) logistic regression learner for multiclass tasks (L-BFGS, standardised numeric features, one-hot categoricals).</summary>
    /// <param name="l2">The L2 penalty strength on the weights (not the intercepts); finite and non-negative. Default 1e-3.</param>
    /// <param name="maxIterations">The L-BFGS iteration limit; at least 1. Default 500.</param>
    /// <param name="gradientTolerance">The Euclidean norm of the objective's gradient at which training has converged; positive. Default 1e-8.</param>
    /// <returns>The learner.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <remarks>See <see cref="SoftmaxRegressionLearner"/> for the objective.</remarks>
    public static SoftmaxRegressionLearner SoftmaxRegression(double l2 = 1e-3, int maxIterations = 500, double gradientTolerance = 1e-8) =>
        new(l2, maxIterations, gradientTolerance);

    /// <summary>Creates a ridge regression learner for regression tasks (closed form, standardised numeric features, one-hot categoricals).</summary>
    /// <param name="alpha">The penalty on the squared norm of the weights (not the intercept); finite and positive. Default 1.0, scikit-learn's.</param>
    /// <returns>The learner.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not finite and positive.</exception>
    /// <remarks>See <see cref="RidgeRegressionLearner"/> for the objective.</remarks>
    public static RidgeRegressionLearner RidgeRegression(double alpha = 1.0) => new(alpha);
}
