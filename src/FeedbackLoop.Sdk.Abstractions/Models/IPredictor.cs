namespace FeedbackLoop.Models;

/// <summary>A trained model that scores feature vectors.</summary>
/// <remarks>Must be thread-safe: the loop calls it concurrently from request threads and swaps it without a lock.</remarks>
public interface IPredictor
{
    /// <summary>Gets the task the model performs; a loop serves only a predictor of its own task (for multiclass, the same classes in the same order).</summary>
    ModelTask Task { get; }

    /// <summary>Scores one input.</summary>
    /// <param name="features">A validated vector of the loop's schema.</param>
    /// <returns>The output.</returns>
    PredictionOutput Predict(FeatureVector features);
}
