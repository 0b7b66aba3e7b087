using Microsoft.ML.OnnxRuntime;

namespace FeedbackLoop.Onnx;

/// <summary>
/// One caller's inputs and output for one row, bound once to the session (<see cref="OrtIoBinding"/>): the float
/// buffers are the tensors' own memory, so a prediction writes the features into them, runs, and reads the output in
/// place, with no tensor, name or result collection created per call. Used by one thread at a time (the predictor
/// pools them); not thread-safe.
/// </summary>
internal sealed class OnnxScoringBuffers : IDisposable
{
    private readonly OrtValue[] _values;

    public OnnxScoringBuffers(InferenceSession session, OnnxBinding binding)
    {
        var inputs = binding.Inputs;
        _values = new OrtValue[inputs.Length + 1];
        Floats = new float[inputs.Length][];
        Binding = session.CreateIoBinding();
        RunOptions = new RunOptions();
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var input = inputs[i];
                if (input.Kind == FeatureKind.Numeric)
                {
                    Floats[i] = new float[input.Width];
                    _values[i] = OrtValue.CreateTensorValueFromMemory(Floats[i], input.Shape);
                }
                else
                {
                    Floats[i] = [];
                    _values[i] = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, input.Shape);
                }

                Binding.BindInput(input.Name, _values[i]);
            }

            Output = new float[binding.OutputWidth];
            _values[^1] = OrtValue.CreateTensorValueFromMemory(Output, binding.OutputShape);
            Binding.BindOutput(binding.Mapping.Output, _values[^1]);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Gets the float memory of each numeric input, in the binding's input order (empty for a string input).</summary>
    public float[][] Floats { get; }

    /// <summary>Gets the memory of the output tensor.</summary>
    public float[] Output { get; }

    public OrtIoBinding Binding { get; }

    public RunOptions RunOptions { get; }

    /// <summary>Sets the one category of a string input.</summary>
    public void SetCategory(int input, string? category) => _values[input].StringTensorSetElementAt((category ?? string.Empty).AsSpan(), 0);

    public void Dispose()
    {
        Binding.Dispose();
        RunOptions.Dispose();
        foreach (var value in _values)
        {
            value?.Dispose();
        }
    }
}
