using System.Globalization;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;

namespace FeedbackLoop.Rollout;

/// <summary>A registered model version loaded and ready to serve.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ServingModel
{
    /// <summary>Initializes a serving model.</summary>
    /// <param name="version">The registered version.</param>
    /// <param name="predictor">Its loaded predictor.</param>
    public ServingModel(ModelVersion version, IPredictor predictor)
    {
        Version = version ?? throw new ArgumentNullException(nameof(version));
        Predictor = predictor ?? throw new ArgumentNullException(nameof(predictor));
        VersionText = version.Version.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Gets the registered version.</summary>
    public ModelVersion Version { get; }

    /// <summary>Gets the loaded predictor.</summary>
    public IPredictor Predictor { get; }

    /// <summary>Gets the version number as a prediction records it (<see cref="Prediction.ModelVersion"/>).</summary>
    public string VersionText { get; }
}
