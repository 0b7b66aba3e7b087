namespace FeedbackLoop.Models;

/// <summary>A trained model that scores feature vectors.</summary>
/// <remarks>Must be thread-safe: the loop calls it concurrently from request threads and swaps it without a lock.</remarks>
public interface IPredictor
{
    /// <summary>Scores one input.</summary>
    /// <param name="features">A validated vector of the loop's schema.</param>
    /// <returns>The output.</returns>
    PredictionOutput Predict(FeatureVector features);
}
