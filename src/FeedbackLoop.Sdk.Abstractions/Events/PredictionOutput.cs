namespace FeedbackLoop;

/// <summary>What a model returned for one input: a label and, for classifiers, a score.</summary>
/// <param name="Label">The predicted label.</param>
/// <param name="Score">For binary classifiers the probability of the positive class, in [0, 1]; NaN when the model gives no score.</param>
public readonly record struct PredictionOutput(Label Label, double Score)
{
    /// <summary>Creates the output of a binary classifier.</summary>
    /// <param name="probability">The probability of the positive class, in [0, 1].</param>
    /// <param name="threshold">The decision threshold. Default 0.5.</param>
    /// <returns>The output, labelled <see langword="true"/> when <paramref name="probability"/> is at least <paramref name="threshold"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is outside [0, 1] or NaN.</exception>
    public static PredictionOutput Binary(double probability, double threshold = 0.5)
    {
        if (!(probability >= 0.0 && probability <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A probability must lie in [0, 1].");
        }

        return new PredictionOutput(Label.Binary(probability >= threshold), probability);
    }

    /// <summary>Creates an output that carries a label only.</summary>
    /// <param name="label">The predicted label.</param>
    /// <returns>The output with no score.</returns>
    public static PredictionOutput FromLabel(Label label) => new(label, double.NaN);
}
