namespace FeedbackLoop.Models;

/// <summary>Restores a predictor from the artifact its trainer produced (used for rollback and restarts).</summary>
public interface IModelArtifactLoader
{
    /// <summary>Restores a predictor.</summary>
    /// <param name="artifact">The artifact bytes (already checked against their SHA-256 by the registry).</param>
    /// <param name="schema">The loop's schema; a loader refuses an artifact trained on another schema.</param>
    /// <returns>The predictor.</returns>
    /// <exception cref="FormatException">The artifact is corrupt, of another format, or of another schema.</exception>
    IPredictor Load(ReadOnlySpan<byte> artifact, FeatureSchema schema);
}
