using FeedbackLoop.Models;

namespace FeedbackLoop.Learning;

/// <summary>The argument checks the built-in learners' constructors share, and reading a whole artifact stream.</summary>
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

    /// <summary>Reads a stream to its end and hands its bytes to <paramref name="load"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="artifact"/> or <paramref name="schema"/> is null.</exception>
    public static IPredictor LoadStream(Stream artifact, FeatureSchema schema, Func<ReadOnlySpan<byte>, FeatureSchema, IPredictor> load)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(schema);
        using var buffer = new MemoryStream();
        artifact.CopyTo(buffer);
        return load(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), schema);
    }
}
