using FeedbackLoop.Evaluation;
using FeedbackLoop.Models;

namespace FeedbackLoop.Promotion;

/// <summary>
/// A gate that scores the candidate (and the champion, when there is one) on the holdout with one metric of the loop's
/// task and applies a rule. A score metric on a model that gives no probabilities fails the gate with the reason, rather
/// than reading 0/1 labels as probabilities.
/// </summary>
internal sealed class MetricGate(Metric metric, Func<double, double?, (bool Passed, string Reason)> rule) : IPromotionGate, IReadsMetrics
{
    public IReadOnlyList<Metric> Metrics => [metric];

    public ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Holdout.Count == 0)
        {
            return ValueTask.FromResult(Fail("the holdout is empty; nothing to compare on"));
        }

        var actual = new Label[context.Holdout.Count];
        for (var i = 0; i < actual.Length; i++)
        {
            actual[i] = context.Holdout[i].Label;
        }

        try
        {
            var candidate = Score(context.Candidate, context, actual, cancellationToken);
            double? champion = context.Champion is null ? null : Score(context.Champion, context, actual, cancellationToken);
            var (passed, reason) = rule(candidate, champion);
            return ValueTask.FromResult(new GateResult(
                passed,
                [reason],
                new Dictionary<string, double> { [metric.Name] = candidate },
                champion is { } value ? new Dictionary<string, double> { [metric.Name] = value } : new Dictionary<string, double>()));
        }
        catch (ArgumentException exception)
        {
            return ValueTask.FromResult(Fail($"{metric} cannot be computed on the holdout: {exception.Message}"));
        }
    }

    private double Score(IPredictor predictor, GateContext context, Label[] actual, CancellationToken cancellationToken)
    {
        var outputs = new PredictionOutput[actual.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            outputs[i] = predictor.Predict(context.Holdout[i].Prediction.Features);
        }

        return metric.Compute(context.Task, actual, outputs);
    }

    private static GateResult Fail(string reason) =>
        new(false, [reason], new Dictionary<string, double>(), new Dictionary<string, double>());
}
