using FeedbackLoop.Models;

namespace FeedbackLoop.Onnx;

/// <summary>
/// Restores an <see cref="OnnxPredictor"/> from the artifact <see cref="OnnxModel"/> made (the ONNX model and its
/// mapping), so that a loop serving ONNX models gets its champion back after a restart and can roll back.
/// <c>UseOnnx()</c> registers one.
/// </summary>
/// <remarks>Thread-safe; each call creates its own ONNX Runtime session.</remarks>
public sealed class OnnxModelLoader : IModelArtifactLoader
{
    private readonly OnnxSessionOptions _options;

    /// <summary>Initializes a loader.</summary>
    /// <param name="options">How ONNX Runtime runs the restored models; the defaults when omitted. Copied.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the message lists every problem.</exception>
    public OnnxModelLoader(OnnxSessionOptions? options = null)
    {
        _options = options?.Clone() ?? new OnnxSessionOptions();
        OnnxSessionOptionsValidator.ThrowIfInvalid(_options);
    }

    /// <summary>Restores a predictor.</summary>
    /// <param name="artifact">The artifact, read from its start.</param>
    /// <param name="schema">The loop's schema; the artifact must have been mapped to it.</param>
    /// <returns>An <see cref="OnnxPredictor"/>.</returns>
    /// <exception cref="InvalidOnnxModelException">
    /// (A <see cref="FormatException"/>.) The artifact is not one of this library, is truncated or changed, was mapped to
    /// another schema, or holds a model ONNX Runtime cannot load or whose inputs and outputs no longer fit.
    /// </exception>
    public IPredictor Load(Stream artifact, FeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(schema);
        using var buffer = new MemoryStream();
        artifact.CopyTo(buffer);
        return OnnxModel.Load(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), schema, _options);
    }
}
