namespace FeedbackLoop.Models;

/// <summary>Restores a predictor from the artifact its trainer produced (used for rollback and restarts).</summary>
public interface IModelArtifactLoader
{
    /// <summary>Restores a predictor.</summary>
    /// <param name="artifact">
    /// The artifact, read from its start (already checked against its SHA-256 by the registry; a model file may be large,
    /// so it comes as a stream). The loop has already refused a version registered with another schema fingerprint
    /// (<see cref="FeatureSchema.Fingerprint"/>).
    /// </param>
    /// <param name="schema">The loop's schema; a loader refuses an artifact trained on another schema.</param>
    /// <returns>The predictor.</returns>
    /// <exception cref="FormatException">The artifact is corrupt, of another format, or of another schema.</exception>
    IPredictor Load(Stream artifact, FeatureSchema schema);
}
