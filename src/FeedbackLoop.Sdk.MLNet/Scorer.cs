using FeedbackLoop.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.MLNet;

/// <summary>
/// One scoring engine: the model's row mapper bound to a reusable <see cref="FeatureRow"/>, with its output getters
/// fetched once — the work a <c>PredictionEngine</c> does per call, minus the reflection over input and output classes.
/// </summary>
/// <remarks>Not thread-safe; <see cref="MLNetModel"/> pools them. Its rows hold no unmanaged resource, so a scorer dropped by the pool is left to the collector.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The input row holds arrays only; pooled scorers are dropped, not disposed, as PredictionEngines dropped by an ObjectPool are.")]
internal sealed class Scorer
{
    private readonly FeatureRow _input;
    private readonly ValueGetter<float> _score = null!;
    private readonly ValueGetter<float>? _probability;
    private readonly ValueGetter<bool>? _predicted;
    private readonly ValueGetter<VBuffer<float>>? _scores;
    private readonly int[]? _slotToClass;
    private readonly double[]? _probabilities;
    private readonly ModelTask _task;
    private VBuffer<float> _buffer;

    public Scorer(ITransformer transformer, MLNetColumns columns, ModelOutput output)
    {
        _input = new FeatureRow(columns);
        _task = output.Task;
        var mapper = transformer.GetRowToRowMapper(columns.Input);
        var schema = mapper.OutputSchema;
        var score = Column(ModelOutput.Score);
        List<DataViewSchema.Column> active = [score];
        if (_task.Kind == ModelTaskKind.Binary)
        {
            var predicted = Column(ModelOutput.PredictedLabel);
            active.Add(predicted);
            var probability = output.HasProbability ? Column(ModelOutput.Probability) : (DataViewSchema.Column?)null;
            if (probability is { } p)
            {
                active.Add(p);
            }

            var row = mapper.GetRow(_input, active);
            _predicted = row.GetGetter<bool>(predicted);
            _probability = probability is { } q ? row.GetGetter<float>(q) : null;
        }
        else if (_task.Kind == ModelTaskKind.Multiclass)
        {
            var row = mapper.GetRow(_input, active);
            _scores = row.GetGetter<VBuffer<float>>(score);
            _slotToClass = [.. output.SlotClasses!.Select(_task.IndexOf)];
            _probabilities = new double[_slotToClass.Length];
        }
        else
        {
            _score = mapper.GetRow(_input, active).GetGetter<float>(score);
        }

        // ModelOutput.Of found each column the output says the model has.
        DataViewSchema.Column Column(string name) => ModelOutput.Find(schema, columns.Input, name)!.Value;
    }

    public PredictionOutput Score(FeatureVector features)
    {
        _input.Load(features);
        switch (_task.Kind)
        {
            case ModelTaskKind.Binary when _probability is not null:
                var probability = 0f;
                _probability(ref probability);
                // Calibrators return a probability; NaN (a NaN score) is the only value outside [0, 1] they can give.
                return float.IsNaN(probability)
                    ? throw new InvalidOperationException("The ML.NET model scored NaN; its pipeline may need missing values replaced (Featurize(normalize: true)).")
                    : PredictionOutput.Binary(Math.Clamp(probability, 0.0, 1.0));
            case ModelTaskKind.Binary:
                var label = false;
                _predicted!(ref label);
                return PredictionOutput.FromLabel(Label.Binary(label));
            case ModelTaskKind.Multiclass:
                return Multiclass();
            default:
                var value = 0f;
                _score(ref value);
                return float.IsFinite(value)
                    ? PredictionOutput.Regression(value)
                    : throw new InvalidOperationException($"The ML.NET model scored {value}; its pipeline may need missing values replaced (Featurize(normalize: true)).");
        }
    }

    private PredictionOutput Multiclass()
    {
        _scores!(ref _buffer);
        var probabilities = _probabilities!;
        var map = _slotToClass!;
        var values = _buffer.GetValues();
        Array.Clear(probabilities);
        var sum = 0.0;
        if (_buffer.IsDense)
        {
            for (var s = 0; s < values.Length; s++)
            {
                sum += probabilities[map[s]] = Math.Max(values[s], 0f);
            }
        }
        else
        {
            var indices = _buffer.GetIndices();
            for (var i = 0; i < values.Length; i++)
            {
                sum += probabilities[map[indices[i]]] = Math.Max(values[i], 0f);
            }
        }

        if (!(sum > 0.0) || !double.IsFinite(sum))
        {
            throw new InvalidOperationException("The ML.NET model's class scores are not a distribution (NaN or all zero); its pipeline may need missing values replaced (Featurize(normalize: true)).");
        }

        // The scores are single-precision probabilities; summed in double they can miss 1 by more than the task's tolerance.
        for (var k = 0; k < probabilities.Length; k++)
        {
            probabilities[k] = Math.Min(probabilities[k] / sum, 1.0);
        }

        return PredictionOutput.Multiclass(_task, probabilities);
    }
}
