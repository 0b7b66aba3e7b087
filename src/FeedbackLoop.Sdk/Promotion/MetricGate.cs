using FeedbackLoop.Evaluation;
using FeedbackLoop.Models;

namespace FeedbackLoop.Promotion;

/// <summary>
/// A gate that scores the candidate (and the champion, when there is one) on the holdout with one metric and applies a
/// rule. A score metric on a model that gives no scores fails the gate with the reason, rather than reading 0/1 labels
/// as scores.
/// </summary>
internal sealed class MetricGate(Metric metric, Func<double, double?, (bool Passed, string Reason)> rule) : IPromotionGate
{
    public ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Holdout.Count == 0)
        {
            return ValueTask.FromResult(Fail("the holdout is empty; nothing to compare on"));
        }

        var actual = new bool[context.Holdout.Count];
        for (var i = 0; i < actual.Length; i++)
        {
            actual[i] = context.Holdout[i].Label.AsBoolean();
        }

        try
        {
            var candidate = Score(context.Candidate, context.Holdout, actual, cancellationToken);
            double? champion = context.Champion is null ? null : Score(context.Champion, context.Holdout, actual, cancellationToken);
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

    private double Score(IPredictor predictor, IReadOnlyList<LabelledExample> holdout, bool[] actual, CancellationToken cancellationToken)
    {
        var predicted = new bool[holdout.Count];
        var scores = new double[holdout.Count];
        for (var i = 0; i < holdout.Count; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var output = predictor.Predict(holdout[i].Prediction.Features);
            predicted[i] = output.Label.AsBoolean();
            if (metric.ReadsScores && double.IsNaN(output.Score))
            {
                // Reading hard labels as scores would make ROC AUC or log loss of 0/1 outputs: a different metric under the same name.
                throw new ArgumentException($"the model gives no score (NaN) for holdout example {i}, and {metric.Name} reads scores; gate on a label metric such as accuracy");
            }

            scores[i] = output.Score;
        }

        return metric.Compute(actual, predicted, scores);
    }

    private static GateResult Fail(string reason) =>
        new(false, [reason], new Dictionary<string, double>(), new Dictionary<string, double>());
}
