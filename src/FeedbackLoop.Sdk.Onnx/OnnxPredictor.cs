using System.Globalization;
using FeedbackLoop.Models;
using Microsoft.ML.OnnxRuntime;

namespace FeedbackLoop.Onnx;

/// <summary>
/// Scores a loop's feature vectors with an ONNX model through one ONNX Runtime session, mapped as the model's
/// artifact says (<see cref="OnnxModelOptions"/>). Made by <see cref="OnnxModel.FromFile"/> and
/// <see cref="OnnxModel.FromBytes"/>, and restored from the registry by <see cref="OnnxModelLoader"/>.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: <see cref="Predict"/> may be called concurrently. The session is shared (ONNX Runtime's <c>Run</c> is
/// thread-safe); each concurrent caller borrows its own input and output tensors, bound to the session once, from a
/// small pool, so a prediction creates no tensor and allocates only the output it returns.
/// </para>
/// <para>
/// A numeric value is passed as a single-precision float (a value beyond ±3.4e38 becomes an infinity; a missing value
/// stays NaN); a missing category is passed as the empty string.
/// </para>
/// <para>
/// Holds native memory: <see cref="Dispose"/> releases it once the calls in flight have returned, and later calls
/// throw <see cref="ObjectDisposedException"/>. A predictor the host does not dispose is released by the session's
/// finalizer; a loop does not dispose the predictors it serves (see docs/models.md).
/// </para>
/// </remarks>
public sealed class OnnxPredictor : IPredictor, IDisposable
{
    private const int DisposedFlag = 1 << 30;
    private const int StackProbabilities = 128;

    private readonly InferenceSession _session;
    private readonly OnnxBinding _binding;
    private readonly FeatureSchema _schema;
    private readonly OnnxScoringBuffers?[] _pool;
    private int _calls;
    private int _released;

    internal OnnxPredictor(InferenceSession session, OnnxBinding binding, FeatureSchema schema)
    {
        _session = session;
        _binding = binding;
        _schema = schema;
        _pool = new OnnxScoringBuffers?[Math.Max(4, 2 * Environment.ProcessorCount)];
        InputNames = [.. binding.Inputs.Select(i => i.Name)];
    }

    /// <summary>Gets the task the model performs, as its artifact declares.</summary>
    public ModelTask Task => _binding.Mapping.Task;

    /// <summary>Gets the model inputs fed, in order: the vector input, or one per feature of the schema.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Gets the model output read.</summary>
    public string OutputName => _binding.Mapping.Output;

    /// <summary>Gets the layout the features reach the model in (never <see cref="OnnxInputLayout.Auto"/>).</summary>
    public OnnxInputLayout InputLayout => _binding.Mapping.Layout;

    /// <summary>Scores one input.</summary>
    /// <param name="features">A vector of the schema the model was mapped to.</param>
    /// <returns>
    /// Binary: the positive class's probability. Multiclass: the probabilities in the order of the task's classes (the
    /// model's columns reordered by <see cref="OnnxModelOptions.ModelClasses"/>). Regression: the value.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> follows another schema.</exception>
    /// <exception cref="OnnxPredictionException">
    /// The model returned probabilities that are not a distribution or a value that is NaN or infinite, or ONNX Runtime
    /// failed to run it.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The predictor is disposed.</exception>
    public PredictionOutput Predict(FeatureVector features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!ReferenceEquals(features.Schema, _schema) && !string.Equals(features.Schema.Fingerprint, _schema.Fingerprint, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The feature vector follows schema [{features.Schema}] but the ONNX model was mapped to [{_schema}].", nameof(features));
        }

        Enter();
        OnnxScoringBuffers? buffers = null;
        try
        {
            buffers = Rent();
            Fill(buffers, features);
            try
            {
                _session.RunWithBinding(buffers.RunOptions, buffers.Binding);
            }
            catch (OnnxRuntimeException exception)
            {
                // The bound tensors may be in any state after a failed run: they are not pooled again.
                var failed = buffers;
                buffers = null;
                failed.Dispose();
                throw new OnnxPredictionException($"ONNX Runtime failed to score the input with the model's output '{OutputName}': {exception.Message}", exception);
            }

            return Read(buffers.Output);
        }
        finally
        {
            if (buffers is not null)
            {
                Return(buffers);
            }

            Exit();
        }
    }

    /// <summary>Releases the session and the pooled tensors once no call is in flight; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if ((Interlocked.Or(ref _calls, DisposedFlag) & DisposedFlag) == 0 && Volatile.Read(ref _calls) == DisposedFlag)
        {
            Release();
        }
    }

    private void Fill(OnnxScoringBuffers buffers, FeatureVector features)
    {
        var inputs = _binding.Inputs;
        var numeric = features.Numeric;
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = inputs[i];
            if (input.Kind == FeatureKind.Categorical)
            {
                buffers.SetCategory(i, features.Categorical[input.Ordinal]);
            }
            else if (input.Ordinal < 0)
            {
                var floats = buffers.Floats[i];
                for (var j = 0; j < floats.Length; j++)
                {
                    floats[j] = (float)numeric[j];
                }
            }
            else
            {
                buffers.Floats[i][0] = (float)numeric[input.Ordinal];
            }
        }
    }

    private PredictionOutput Read(float[] output)
    {
        var mapping = _binding.Mapping;
        switch (mapping.Task.Kind)
        {
            case ModelTaskKind.Binary:
                if (output.Length == 1)
                {
                    return PredictionOutput.Binary(Probability(output[0], 0));
                }

                var positive = Probability(output[mapping.PositiveClassColumn], mapping.PositiveClassColumn);
                var negative = Probability(output[1 - mapping.PositiveClassColumn], 1 - mapping.PositiveClassColumn);
                CheckSum(positive + negative);
                return PredictionOutput.Binary(positive);

            case ModelTaskKind.Multiclass:
                var classes = _binding.ColumnToClass;
                Span<double> probabilities = classes.Length <= StackProbabilities ? stackalloc double[classes.Length] : new double[classes.Length];
                var sum = 0.0;
                for (var j = 0; j < classes.Length; j++)
                {
                    sum += probabilities[classes[j]] = Probability(output[j], j);
                }

                CheckSum(sum);
                return PredictionOutput.Multiclass(mapping.Task, probabilities);

            default:
                var value = (double)output[0];
                return double.IsFinite(value)
                    ? PredictionOutput.Regression(value)
                    : throw new OnnxPredictionException(
                        string.Create(CultureInfo.InvariantCulture, $"The ONNX model's output '{OutputName}' is {value}; a regression value must be finite."));
        }
    }

    /// <summary>A probability read from single precision: a value within the task's tolerance outside [0, 1] is rounding and is clamped; anything else is refused.</summary>
    private double Probability(float value, int column)
    {
        const double Tolerance = ModelTask.ProbabilitySumTolerance;
        return value >= -Tolerance && value <= 1.0 + Tolerance
            ? Math.Clamp(value, 0.0, 1.0)
            : throw new OnnxPredictionException(
                string.Create(CultureInfo.InvariantCulture, $"The ONNX model's output '{OutputName}' gives {value} in column {column}, which is not a probability in [0, 1]."));
    }

    private void CheckSum(double sum)
    {
        if (Math.Abs(sum - 1.0) > ModelTask.ProbabilitySumTolerance)
        {
            throw new OnnxPredictionException(string.Create(CultureInfo.InvariantCulture,
                $"The ONNX model's output '{OutputName}' is not a probability distribution: its {_binding.OutputWidth} values sum to {sum:0.######}, not 1 (within {ModelTask.ProbabilitySumTolerance})."));
        }
    }

    private void Enter()
    {
        if ((Interlocked.Increment(ref _calls) & DisposedFlag) != 0)
        {
            Exit();
            throw new ObjectDisposedException(nameof(OnnxPredictor), "The ONNX predictor is disposed.");
        }
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _calls) == DisposedFlag)
        {
            Release();
        }
    }

    private OnnxScoringBuffers Rent()
    {
        for (var i = 0; i < _pool.Length; i++)
        {
            if (Interlocked.Exchange(ref _pool[i], null) is { } buffers)
            {
                return buffers;
            }
        }

        return new OnnxScoringBuffers(_session, _binding);
    }

    private void Return(OnnxScoringBuffers buffers)
    {
        for (var i = 0; i < _pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _pool[i], buffers, null) is null)
            {
                return;
            }
        }

        buffers.Dispose();
    }

    /// <summary>Runs once, after the last call in flight (or at <see cref="Dispose"/> when none is).</summary>
    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        for (var i = 0; i < _pool.Length; i++)
        {
            Interlocked.Exchange(ref _pool[i], null)?.Dispose();
        }

        _session.Dispose();
    }
}
