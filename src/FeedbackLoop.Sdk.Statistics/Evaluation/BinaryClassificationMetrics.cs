using System.Buffers;
using System.Globalization;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// Metrics of a binary classifier over a batch of labelled examples: accuracy, ROC AUC, average precision, log loss
/// and Brier score, each defined as scikit-learn defines it (<c>accuracy_score</c>, <c>roc_auc_score</c>,
/// <c>average_precision_score</c>, <c>log_loss</c>, <c>brier_score_loss</c>), with optional per-example weights.
/// </summary>
/// <remarks>
/// <para>
/// <c>actual</c> holds the true labels (<see langword="true"/> = positive class). An empty
/// <c>sampleWeights</c> span means every example has weight 1; otherwise it has one finite, non-negative weight
/// per example, not all zero, and each metric is the weighted mean of its per-example term (weighted accuracy
/// is the weight of the correct predictions over the total weight).
/// </para>
/// <para>
/// Bad input gets a typed exception naming the problem, never a NaN result: spans of different lengths or empty
/// spans (<see cref="ArgumentException"/>), a non-finite score or probability, or a probability outside [0, 1]
/// (<see cref="ArgumentOutOfRangeException"/> naming the index), a negative or non-finite weight
/// (<see cref="ArgumentOutOfRangeException"/>), all-zero weights (<see cref="ArgumentException"/>).
/// </para>
/// <para>
/// The methods never modify the caller's spans and allocate nothing per element; <see cref="RocAuc"/> rents its
/// sort buffers (32 bytes per example) from <see cref="ArrayPool{T}.Shared"/>. They are pure functions and safe
/// to call from any number of threads at once.
/// </para>
/// </remarks>
public static class BinaryClassificationMetrics
{
    /// <summary>
    /// The clipping bound of <see cref="LogLoss"/>: probabilities are clipped to
    /// [<c>LogLossEpsilon</c>, 1 − <c>LogLossEpsilon</c>].
    /// </summary>
    /// <remarks>
    /// scikit-learn 1.2 changed <c>log_loss</c>'s default <c>eps</c> from 1e-15 to <c>"auto"</c>, which is
    /// <c>np.finfo(y_pred.dtype).eps</c>, that is 2^-52 for float64 input (sklearn/metrics/_classification.py,
    /// log_loss, "versionchanged 1.2"; later versions removed the parameter and keep the dtype epsilon). Using the
    /// same bound makes the loss of a confident wrong prediction agree with scikit-learn: −ln(2^-52) ≈ 36.04.
    /// </remarks>
    internal const double LogLossEpsilon = 2.220446049250313e-16;

    /// <summary>Computes the (weighted) fraction of examples whose predicted label equals the true label.</summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="predicted">The predicted labels, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The accuracy, in [0, 1]; higher is better.</returns>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or the weights are all zero or sum to infinity.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative, NaN or infinite.</exception>
    public static double Accuracy(
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<bool> predicted,
        ReadOnlySpan<double> sampleWeights = default)
    {
        MetricArguments.RequireBatch(actual.Length, predicted.Length, nameof(predicted), sampleWeights.Length);

        if (sampleWeights.IsEmpty)
        {
            int correct = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                if (actual[i] == predicted[i])
                {
                    correct++;
                }
            }

            return (double)correct / actual.Length;
        }

        double total = 0.0;
        double correctWeight = 0.0;
        for (int i = 0; i < actual.Length; i++)
        {
            double w = MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights));
            total += w;
            if (actual[i] == predicted[i])
            {
                correctWeight += w;
            }
        }

        MetricArguments.RequireUsableTotalWeight(total, nameof(sampleWeights));
        return correctWeight / total;
    }

    /// <summary>Computes the area under the ROC curve of <paramref name="scores"/> as a ranking of the positive class.</summary>
    /// <param name="actual">The true labels; both classes must be present (with non-zero weight).</param>
    /// <param name="scores">Any finite scores, larger meaning more likely positive (probabilities, logits, margins).</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The ROC AUC, in [0, 1]; 0.5 is a random ranking, higher is better.</returns>
    /// <exception cref="ArgumentException">
    /// The spans differ in length or are empty, the weights are all zero or sum to infinity, or only one class is
    /// present (the AUC is then undefined, as scikit-learn's <c>roc_auc_score</c> also refuses).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite, or a weight is negative, NaN or infinite.</exception>
    /// <remarks>
    /// The curve has one point per distinct score (tied examples move the curve diagonally together) and the area
    /// is the trapezoid rule over those points, as scikit-learn computes it (<c>_binary_clf_curve</c>,
    /// <c>roc_curve</c>, <c>auc</c>). Unweighted, this equals the Mann–Whitney U statistic with mid-ranks divided
    /// by the product of the class counts (Hanley and McNeil, Radiology 143(1), 1982). The scores are copied and
    /// sorted with a radix sort, O(n) (at most six passes; a comparison sort, O(n log n), below 256 examples);
    /// the caller's spans are not modified.
    /// </remarks>
    public static double RocAuc(
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<double> scores,
        ReadOnlySpan<double> sampleWeights = default) =>
        FromRanking<RocCurve>(actual, scores, sampleWeights);

    /// <summary>
    /// Computes the average precision of <paramref name="scores"/> as a ranking of the positive class: the area under
    /// the precision-recall curve as the step sum Σ (R_n − R_(n−1)) P_n over the thresholds from the highest score
    /// down, scikit-learn's <c>average_precision_score</c>.
    /// </summary>
    /// <param name="actual">The true labels; at least one positive (with non-zero weight).</param>
    /// <param name="scores">Any finite scores, larger meaning more likely positive.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The average precision, in [0, 1]; the positive rate for a random ranking, higher is better.</returns>
    /// <exception cref="ArgumentException">
    /// The spans differ in length or are empty, the weights are all zero or sum to infinity, or there is no positive
    /// example (recall is then undefined; scikit-learn returns NaN with a warning).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite, or a weight is negative, NaN or infinite.</exception>
    /// <remarks>
    /// Tied scores form one threshold, so tied examples enter the curve together; there is no interpolation between
    /// points (Manning, Raghavan and Schütze, Introduction to Information Retrieval, 2008, section 8.4; scikit-learn
    /// 1.2, <c>precision_recall_curve</c>). Sorting is as for <see cref="RocAuc"/>.
    /// </remarks>
    public static double AveragePrecision(
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<double> scores,
        ReadOnlySpan<double> sampleWeights = default) =>
        FromRanking<PrecisionRecallCurve>(actual, scores, sampleWeights);

    /// <summary>Sorts the examples by score and reads a ranking metric from them.</summary>
    private static double FromRanking<TCurve>(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores, ReadOnlySpan<double> sampleWeights)
        where TCurve : struct, IRankingCurve
    {
        MetricArguments.RequireBatch(actual.Length, scores.Length, nameof(scores), sampleWeights.Length);
        int n = actual.Length;
        bool weighted = !sampleWeights.IsEmpty;

        ScoreEntry[] entryBuffer = ArrayPool<ScoreEntry>.Shared.Rent(n);
        ScoreEntry[] scratchBuffer = ArrayPool<ScoreEntry>.Shared.Rent(n);
        try
        {
            // Each entry carries label and weight in one number, +w for a positive and -w for a negative. A zero
            // weight may land in either class after the sign test in the curve, which is harmless: it adds nothing.
            Span<ScoreEntry> entries = entryBuffer.AsSpan(0, n);
            double positiveWeight = 0.0;
            double negativeWeight = 0.0;
            int positiveCount = 0;
            int negativeCount = 0;
            for (int i = 0; i < n; i++)
            {
                double score = scores[i];
                MetricArguments.RequireFinite(score, i, nameof(scores));
                double w = weighted ? MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights)) : 1.0;
                if (actual[i])
                {
                    entries[i] = new ScoreEntry(ScoreSort.ToKey(score), w);
                    positiveWeight += w;
                    positiveCount += w > 0.0 ? 1 : 0;
                }
                else
                {
                    entries[i] = new ScoreEntry(ScoreSort.ToKey(score), -w);
                    negativeWeight += w;
                    negativeCount += w > 0.0 ? 1 : 0;
                }
            }

            if (weighted)
            {
                MetricArguments.RequireUsableTotalWeight(positiveWeight + negativeWeight, nameof(sampleWeights));
            }

            if (positiveCount == 0 || (TCurve.NeedsNegatives && negativeCount == 0))
            {
                throw new ArgumentException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{TCurve.Requirement}; {TCurve.Name} is not defined (actual has {positiveCount} positive and {negativeCount} negative examples with non-zero weight)."),
                    nameof(actual));
            }

            Span<ScoreEntry> sorted = ScoreSort.Sort(entries, scratchBuffer.AsSpan(0, n));
            return TCurve.Area(sorted, positiveWeight, negativeWeight);
        }
        finally
        {
            ArrayPool<ScoreEntry>.Shared.Return(scratchBuffer);
            ArrayPool<ScoreEntry>.Shared.Return(entryBuffer);
        }
    }

    /// <summary>Computes the mean negative log-likelihood (cross-entropy) of the true labels under <paramref name="probabilities"/>.</summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="probabilities">The predicted probability of the positive class, in [0, 1], one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The log loss in nats, at least 0; lower is better.</returns>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or the weights are all zero or overflow.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A probability is NaN, infinite or outside [0, 1], or a weight is negative, NaN or infinite.</exception>
    /// <remarks>
    /// Per example the loss is −(y ln p + (1 − y) ln(1 − p)) (Bishop, Pattern Recognition and Machine Learning,
    /// 2006, §4.3.2, p. 209), with the natural logarithm. Probabilities are clipped to [ε, 1 − ε] with ε = 2^-52 ≈ 2.22e-16,
    /// float64 machine epsilon, which is scikit-learn 1.2's default (<c>eps="auto"</c>); scikit-learn before 1.2
    /// used 1e-15. A probability of exactly 0 for a positive therefore costs about 36.04 nats, not infinity.
    /// Unlike scikit-learn, a batch holding a single class is accepted: the labels are booleans, so both classes
    /// are known without inferring them from the data.
    /// </remarks>
    public static double LogLoss(
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<double> probabilities,
        ReadOnlySpan<double> sampleWeights = default) =>
        MeanLoss<LogLossTerm>(actual, probabilities, sampleWeights);

    /// <summary>Computes the mean squared difference between <paramref name="probabilities"/> and the 0/1 outcomes.</summary>
    /// <param name="actual">The true labels.</param>
    /// <param name="probabilities">The predicted probability of the positive class, in [0, 1], one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The Brier score, in [0, 1]; lower is better.</returns>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or the weights are all zero or sum to infinity.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A probability is NaN, infinite or outside [0, 1], or a weight is negative, NaN or infinite.</exception>
    /// <remarks>
    /// Brier, "Verification of forecasts expressed in terms of probability", Monthly Weather Review 78(1), 1950,
    /// in its two-class form mean((p − y)²), as scikit-learn's <c>brier_score_loss</c> computes it.
    /// </remarks>
    public static double BrierScore(
        ReadOnlySpan<bool> actual,
        ReadOnlySpan<double> probabilities,
        ReadOnlySpan<double> sampleWeights = default) =>
        MeanLoss<SquaredErrorTerm>(actual, probabilities, sampleWeights);

    /// <summary>The (weighted) mean of a per-example loss of a probability, shared by <see cref="LogLoss"/> and <see cref="BrierScore"/>.</summary>
    /// <remarks>The loss is a static member of a struct type argument, so the JIT specialises and inlines it per metric.</remarks>
    private static double MeanLoss<TLoss>(ReadOnlySpan<bool> actual, ReadOnlySpan<double> probabilities, ReadOnlySpan<double> sampleWeights)
        where TLoss : struct, IProbabilityLoss
    {
        MetricArguments.RequireBatch(actual.Length, probabilities.Length, nameof(probabilities), sampleWeights.Length);
        bool weighted = !sampleWeights.IsEmpty;

        double total = 0.0;
        double sum = 0.0;
        for (int i = 0; i < actual.Length; i++)
        {
            double p = probabilities[i];
            MetricArguments.RequireProbability(p, i, nameof(probabilities));
            double loss = TLoss.Loss(actual[i], p);
            if (weighted)
            {
                double w = MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights));
                total += w;
                sum += w * loss;
            }
            else
            {
                sum += loss;
            }
        }

        if (!weighted)
        {
            return sum / actual.Length;
        }

        MetricArguments.RequireUsableTotalWeight(total, nameof(sampleWeights));
        MetricArguments.RequireFiniteWeightedSum(sum, nameof(sampleWeights));
        return sum / total;
    }

    /// <summary>A metric read from examples sorted by ascending score, walked from the highest threshold down.</summary>
    private interface IRankingCurve
    {
        static abstract string Name { get; }

        static abstract string Requirement { get; }

        static abstract bool NeedsNegatives { get; }

        static abstract double Area(ReadOnlySpan<ScoreEntry> sorted, double positiveWeight, double negativeWeight);
    }

    /// <summary>Trapezoid area under the ROC curve.</summary>
    /// <remarks>
    /// Walks the thresholds from the highest score down; each run of equal scores is one curve point, so ties add
    /// the trapezoid between the two points (half a unit per tied positive–negative pair). Rates are normalized
    /// before multiplying so that large but finite weights cannot overflow.
    /// </remarks>
    private readonly struct RocCurve : IRankingCurve
    {
        public static string Name => "ROC AUC";

        public static string Requirement => "only one class present";

        public static bool NeedsNegatives => true;

        public static double Area(ReadOnlySpan<ScoreEntry> sorted, double positiveWeight, double negativeWeight)
        {
            double tpr = 0.0;
            double fpr = 0.0;
            double twiceArea = 0.0;
            var walk = new ThresholdWalk(sorted);
            while (walk.Next())
            {
                double nextTpr = walk.TruePositives / positiveWeight;
                double nextFpr = walk.FalsePositives / negativeWeight;
                twiceArea += (nextFpr - fpr) * (nextTpr + tpr);
                tpr = nextTpr;
                fpr = nextFpr;
            }

            return 0.5 * twiceArea;
        }
    }

    /// <summary>Step area under the precision-recall curve: Σ (R_n − R_(n−1)) P_n.</summary>
    private readonly struct PrecisionRecallCurve : IRankingCurve
    {
        public static string Name => "average precision";

        public static string Requirement => "no positive example";

        public static bool NeedsNegatives => false;

        public static double Area(ReadOnlySpan<ScoreEntry> sorted, double positiveWeight, double negativeWeight)
        {
            double recall = 0.0;
            double area = 0.0;
            var walk = new ThresholdWalk(sorted);
            while (walk.Next())
            {
                double predicted = walk.TruePositives + walk.FalsePositives;
                double precision = predicted > 0 ? walk.TruePositives / predicted : 0.0;
                double nextRecall = walk.TruePositives / positiveWeight;
                area += (nextRecall - recall) * precision;
                recall = nextRecall;
            }

            return area;
        }
    }

    /// <summary>
    /// The cumulative true- and false-positive weights at each distinct score, from the highest down (scikit-learn's
    /// <c>_binary_clf_curve</c>).
    /// </summary>
    private ref struct ThresholdWalk(ReadOnlySpan<ScoreEntry> sorted)
    {
        private readonly ReadOnlySpan<ScoreEntry> _sorted = sorted;
        private int _next = sorted.Length - 1;

        public double TruePositives { get; private set; }

        public double FalsePositives { get; private set; }

        /// <summary>Takes in every example of the next lower score; false after the lowest.</summary>
        public bool Next()
        {
            if (_next < 0)
            {
                return false;
            }

            ulong threshold = _sorted[_next].Key;
            do
            {
                double signedWeight = _sorted[_next].Value;
                if (signedWeight > 0.0)
                {
                    TruePositives += signedWeight;
                }
                else
                {
                    FalsePositives -= signedWeight;
                }

                _next--;
            }
            while (_next >= 0 && _sorted[_next].Key == threshold);
            return true;
        }
    }

    internal interface IProbabilityLoss
    {
        static abstract double Loss(bool actual, double probability);
    }

    /// <summary>−ln of the probability given to the true class, the probability clipped to [ε, 1 − ε].</summary>
    internal readonly struct LogLossTerm : IProbabilityLoss
    {
        public static double Loss(bool actual, double probability)
        {
            double p = Math.Clamp(probability, LogLossEpsilon, 1.0 - LogLossEpsilon);
            return -Math.Log(actual ? p : 1.0 - p);
        }
    }

    /// <summary>(p − y)², the Brier term.</summary>
    internal readonly struct SquaredErrorTerm : IProbabilityLoss
    {
        public static double Loss(bool actual, double probability)
        {
            double error = (actual ? 1.0 : 0.0) - probability;
            return error * error;
        }
    }
}
