namespace FeedbackLoop.Rollout;

/// <summary>
/// Chooses which loaded model serves one prediction: the seam for champion-only serving (the default), A/B splits,
/// canaries and shadows. The chosen version is recorded with the prediction, and the loop keeps monitors and rolling
/// metrics per serving version.
/// </summary>
/// <remarks>
/// Called on the request path for every <see cref="IFeedbackLoop.Predict"/>: it must be fast, thread-safe, allocation-free
/// and do no I/O. A router that throws fails that call (it is the host's serving logic, like the predictor).
/// </remarks>
public interface IModelRouter
{
    /// <summary>Chooses the model for one request.</summary>
    /// <param name="id">The prediction's id (a stable key for sticky splits).</param>
    /// <param name="features">The validated input.</param>
    /// <param name="models">The models loaded now.</param>
    /// <returns>The model to serve, or <see langword="null"/> when none can (the call then fails clearly).</returns>
    ServingModel? Route(PredictionId id, FeatureVector features, ServingSet models);
}
