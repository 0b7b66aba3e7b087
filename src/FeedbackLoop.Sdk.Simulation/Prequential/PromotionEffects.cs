using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation.Prequential;

/// <summary>Scores each replaced model beside its successor on the predictions after the change (<see cref="PrequentialPromotion"/>).</summary>
internal sealed class PromotionEffects(PrequentialReplay replay)
{
    /// <summary>The most predictions one comparison covers.</summary>
    public const int Span = 5_000;

    private readonly List<PrequentialPromotion> _effects = [];
    private IPredictor? _replaced;
    private long _from;
    private long _until;
    private long _compared;
    private double _gained;

    public IReadOnlyList<PrequentialPromotion> Effects
    {
        get
        {
            Finish();
            return _effects;
        }
    }

    /// <summary>A new model serves from prediction <paramref name="at"/>, in place of <paramref name="replaced"/>.</summary>
    public void Changed(long at, IPredictor replaced)
    {
        Finish();
        var drift = replay.DriftPoints.FirstOrDefault(p => p > at, long.MaxValue);
        (_replaced, _from, _until, _compared, _gained) = (replaced, at, Math.Min(at + Span, drift), 0, 0);
    }

    /// <summary>Prediction <paramref name="step"/> was made by the current model, with <paramref name="score"/> (see <see cref="PrequentialRun.Scores"/>).</summary>
    public void Predicted(int step, double score)
    {
        if (_replaced is null || step < _from)
        {
            return;
        }

        if (step >= _until)
        {
            Finish();
            return;
        }

        var sample = replay.Samples[step];
        var old = replay.Score(_replaced.Predict(sample.Features), sample);

        // Oriented so that a positive gain is an improvement: more right answers, or a smaller absolute error.
        _gained += replay.Task.Kind == ModelTaskKind.Regression ? old - score : score - old;
        _compared++;
    }

    private void Finish()
    {
        if (_replaced is not null && _compared > 0)
        {
            _effects.Add(new PrequentialPromotion(_from, _compared, _gained / _compared));
        }

        _replaced = null;
    }
}
