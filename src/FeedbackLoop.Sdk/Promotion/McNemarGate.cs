using System.Globalization;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Inference;

namespace FeedbackLoop.Promotion;

/// <summary>Promotes a candidate only when McNemar's exact test finds it more accurate than the champion on the holdout (see <see cref="Gates.SignificantlyMoreAccurateThanChampion"/>).</summary>
internal sealed class McNemarGate(double alpha) : IPromotionGate, IReadsMetrics
{
    public IReadOnlyList<Metric> Metrics => [Metric.Accuracy];

    public ValueTask<GateResult> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var holdout = context.Holdout;
        if (holdout.Count == 0)
        {
            return ValueTask.FromResult(new GateResult(false, ["the holdout is empty; nothing to compare on"], new Dictionary<string, double>(), new Dictionary<string, double>()));
        }

        var (candidateRight, championRight, candidateOnly, championOnly) = (0, 0, 0, 0);
        for (var i = 0; i < holdout.Count; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var features = holdout[i].Prediction.Features;
            var candidate = context.Candidate.Predict(features).Label == holdout[i].Label;
            var champion = context.Champion?.Predict(features).Label == holdout[i].Label;
            (candidateRight, championRight) = (candidateRight + (candidate ? 1 : 0), championRight + (champion ? 1 : 0));
            (candidateOnly, championOnly) = (candidateOnly + (candidate && !champion ? 1 : 0), championOnly + (champion && !candidate ? 1 : 0));
        }

        var accuracy = new Dictionary<string, double> { [Metric.Accuracy.Name] = (double)candidateRight / holdout.Count };
        if (context.Champion is null)
        {
            return ValueTask.FromResult(new GateResult(true, [Invariant($"{Metric.Accuracy} {accuracy[Metric.Accuracy.Name]:0.####}; no champion to compare with")], accuracy, new Dictionary<string, double>()));
        }

        var p = McNemarTest.ExactPValueGreater(candidateOnly, championOnly);
        var significant = p < alpha;
        var continues = !significant && context.CandidateExtendsChampion && candidateOnly >= championOnly;
        var verdict = significant ? "significantly more accurate"
            : continues ? "not significantly more accurate, but no less accurate and trained on more labels of the champion's concept"
            : "not significantly more accurate";
        return ValueTask.FromResult(new GateResult(
            significant || continues,
            [Invariant($"{Metric.Accuracy} candidate {accuracy[Metric.Accuracy.Name]:0.####} vs champion {(double)championRight / holdout.Count:0.####}: right where the other is wrong {candidateOnly} vs {championOnly} times, McNemar one-sided p = {p:0.####} ({verdict} at {alpha})")],
            accuracy,
            new Dictionary<string, double> { [Metric.Accuracy.Name] = (double)championRight / holdout.Count }));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
