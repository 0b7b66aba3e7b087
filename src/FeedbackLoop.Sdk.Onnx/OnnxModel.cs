using System.Globalization;
using System.Security.Cryptography;
using FeedbackLoop.Models;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace FeedbackLoop.Onnx;

/// <summary>
/// Turns an ONNX model trained outside the process (scikit-learn through skl2onnx, PyTorch, ML.NET, ...) into a
/// <see cref="TrainedModel"/> a loop can promote: <c>await loop.PromoteAsync(OnnxModel.FromFile("churn.onnx", loop.Schema, loop.Task), change, ct)</c>.
/// </summary>
/// <remarks>
/// The model is loaded, its inputs and outputs are checked against the schema, the task and the options, and it is run
/// once on a neutral row, before anything is returned: a model that could not serve fails here, and the loop's champion
/// is untouched. The returned model's artifact holds the ONNX bytes and the resolved mapping, so the registry's copy
/// restores the same predictor through <see cref="OnnxModelLoader"/> (<c>UseOnnx()</c>) after a restart or a rollback.
/// </remarks>
public static class OnnxModel
{
    /// <summary>Loads an ONNX model file for a loop.</summary>
    /// <param name="path">The <c>.onnx</c> file (an ONNX ModelProto).</param>
    /// <param name="schema">The loop's schema (<see cref="IFeedbackLoop.Schema"/>).</param>
    /// <param name="task">The loop's task (<see cref="IFeedbackLoop.Task"/>).</param>
    /// <param name="options">How features and task map onto the model's inputs and output; the defaults when omitted.</param>
    /// <param name="description">The registered version's description; one naming the file, its size and SHA-256 when omitted.</param>
    /// <returns>The model: a ready <see cref="OnnxPredictor"/> and its artifact.</returns>
    /// <exception cref="IOException">The file cannot be read (<see cref="FileNotFoundException"/> when it does not exist).</exception>
    /// <exception cref="OptionsValidationException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="ArgumentException">The options name a feature the schema lacks or classes that are not the task's.</exception>
    /// <exception cref="InvalidOnnxModelException">
    /// The file is not a model ONNX Runtime loads (corrupt or truncated), or its inputs or outputs do not fit the schema,
    /// the task or the options; the message names the input, output or feature.
    /// </exception>
    public static TrainedModel FromFile(string path, FeatureSchema schema, ModelTask task, OnnxModelOptions? options = null, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = File.ReadAllBytes(path);
        return FromBytes(bytes, schema, task, options, description ?? Describe(Path.GetFileName(path), bytes));
    }

    /// <summary>Loads an ONNX model from its bytes for a loop (see <see cref="FromFile"/>).</summary>
    /// <param name="model">The ONNX ModelProto's bytes.</param>
    /// <param name="schema">The loop's schema.</param>
    /// <param name="task">The loop's task.</param>
    /// <param name="options">How features and task map onto the model's inputs and output; the defaults when omitted.</param>
    /// <param name="description">The registered version's description; one naming its size and SHA-256 when omitted.</param>
    /// <returns>The model: a ready <see cref="OnnxPredictor"/> and its artifact.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="ArgumentException">The options name a feature the schema lacks or classes that are not the task's.</exception>
    /// <exception cref="InvalidOnnxModelException">The bytes are not a model ONNX Runtime loads, or it does not fit the schema, the task or the options.</exception>
    public static TrainedModel FromBytes(ReadOnlyMemory<byte> model, FeatureSchema schema, ModelTask task, OnnxModelOptions? options = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(task);
        options ??= new OnnxModelOptions();
        OnnxModelOptionsValidator.ThrowIfInvalid(options);
        var session = CreateSession(model, options.Session);
        try
        {
            var mapping = OnnxBinding.Resolve(session, schema, task, options);
            var predictor = new OnnxPredictor(session, OnnxBinding.Bind(session, schema, mapping), schema);
            return new TrainedModel(predictor, OnnxArtifact.Write(mapping, model.Span), description ?? Describe(null, model.Span));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Restores a predictor from an artifact <see cref="FromBytes"/> wrote.</summary>
    internal static OnnxPredictor Load(ReadOnlyMemory<byte> artifact, FeatureSchema schema, OnnxSessionOptions options)
    {
        var (mapping, model) = OnnxArtifact.Read(artifact);
        var session = CreateSession(model, options);
        try
        {
            return new OnnxPredictor(session, OnnxBinding.Bind(session, schema, mapping), schema);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static InferenceSession CreateSession(ReadOnlyMemory<byte> model, OnnxSessionOptions options)
    {
        using var sessionOptions = options.ToSessionOptions();
        try
        {
            return new InferenceSession(model.ToArray(), sessionOptions);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new InvalidOnnxModelException(
                string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime cannot load the model ({model.Length} bytes): it is corrupt, truncated or not an ONNX model. {exception.Message}"),
                exception);
        }
    }

    private static string Describe(string? file, ReadOnlySpan<byte> model) => string.Create(CultureInfo.InvariantCulture,
        $"ONNX model{(file is null ? string.Empty : $" {file}")} ({model.Length} bytes, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(model))[..16]}), trained outside the loop");
}
