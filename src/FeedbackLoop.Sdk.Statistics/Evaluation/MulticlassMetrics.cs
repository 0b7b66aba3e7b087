using System.Buffers;
using System.Globalization;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// Probability metrics of a classifier with more than two classes: log loss and one-vs-rest ROC AUC, as scikit-learn
/// 1.2 defines them (<c>log_loss</c>, <c>roc_auc_score(multi_class="ovr")</c>). The label-based metrics are read from a
/// <see cref="ConfusionMatrix"/>.
/// </summary>
/// <remarks>
/// <para>
/// <c>probabilities</c> is row-major: example <c>i</c>'s probability of class <c>c</c> is
/// <c>probabilities[i * classCount + c]</c>, each row in [0, 1] and summing to 1 within scikit-learn's tolerance
/// (|sum − 1| ≤ 1e-8 + 1e-5, NumPy's <c>allclose</c>). A row that does not is refused rather than renormalised in
/// silence. <c>actual</c> holds class indices 0 to <c>classCount</c> − 1.
/// </para>
/// <para>Pure functions, safe from any number of threads.</para>
/// </remarks>
public static class MulticlassMetrics
{
    /// <summary>Computes the mean negative log-likelihood of the actual classes.</summary>
    /// <param name="actual">The actual classes.</param>
    /// <param name="probabilities">The predicted class probabilities, row-major, <c>actual.Length × classCount</c>.</param>
    /// <param name="classCount">The number of classes, at least 2.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The log loss in nats, at least 0; lower is better.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="probabilities"/> is not <c>actual.Length × classCount</c> long, the batch is empty, a row does not
    /// sum to 1, or the weights are all zero.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="classCount"/> is less than 2, a class is out of range, a probability is not in [0, 1], or a
    /// weight is negative or not finite.
    /// </exception>
    /// <remarks>
    /// As scikit-learn 1.2: each probability is clipped to [ε, 1 − ε] with ε = 2^-52 and the clipped row is divided by
    /// its sum before −ln p[actual] is taken, so a zero probability for the actual class costs about 36 nats.
    /// </remarks>
    public static double LogLoss(ReadOnlySpan<int> actual, ReadOnlySpan<double> probabilities, int classCount, ReadOnlySpan<double> sampleWeights = default)
    {
        CheckBatch(actual, probabilities, classCount, sampleWeights);
        double total = 0;
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double w = sampleWeights.IsEmpty ? 1.0 : sampleWeights[i];
            sum += w * RowLoss(probabilities.Slice(i * classCount, classCount), actual[i]);
            total += w;
        }

        MetricArguments.RequireFiniteWeightedSum(sum, nameof(sampleWeights));
        return sum / total;
    }

    /// <summary>
    /// Computes the one-vs-rest ROC AUC: for each class, the binary ROC AUC of its probability column as a ranking of
    /// that class against all others, averaged over the classes.
    /// </summary>
    /// <param name="actual">The actual classes; every class must occur (with non-zero weight), and not be the only one.</param>
    /// <param name="probabilities">The predicted class probabilities, row-major, <c>actual.Length × classCount</c>.</param>
    /// <param name="classCount">The number of classes, at least 2.</param>
    /// <param name="averaging">
    /// <see cref="ClassificationAveraging.Macro"/> (the plain mean, scikit-learn's default) or
    /// <see cref="ClassificationAveraging.Weighted"/> (weighted by each class's true weight).
    /// </param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The averaged ROC AUC, in [0, 1].</returns>
    /// <exception cref="ArgumentException">
    /// As <see cref="LogLoss"/>, or a class does not occur in <paramref name="actual"/> (its AUC is undefined, as
    /// scikit-learn also refuses).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// As <see cref="LogLoss"/>, or <paramref name="averaging"/> is <see cref="ClassificationAveraging.Micro"/> or not
    /// defined (scikit-learn's one-vs-rest AUC has no micro average for multiclass targets).
    /// </exception>
    public static double RocAucOneVsRest(
        ReadOnlySpan<int> actual,
        ReadOnlySpan<double> probabilities,
        int classCount,
        ClassificationAveraging averaging = ClassificationAveraging.Macro,
        ReadOnlySpan<double> sampleWeights = default)
    {
        if (averaging is not (ClassificationAveraging.Macro or ClassificationAveraging.Weighted))
        {
            throw new ArgumentOutOfRangeException(nameof(averaging), averaging, "One-vs-rest ROC AUC averages with Macro or Weighted.");
        }

        CheckBatch(actual, probabilities, classCount, sampleWeights);
        int n = actual.Length;
        bool[] isClass = ArrayPool<bool>.Shared.Rent(n);
        double[] column = ArrayPool<double>.Shared.Rent(n);
        try
        {
            double sum = 0;
            double supportSum = 0;
            for (int c = 0; c < classCount; c++)
            {
                double support = 0;
                for (int i = 0; i < n; i++)
                {
                    isClass[i] = actual[i] == c;
                    column[i] = probabilities[(i * classCount) + c];
                    support += isClass[i] ? (sampleWeights.IsEmpty ? 1.0 : sampleWeights[i]) : 0.0;
                }

                if (support == 0)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"class {c} does not occur in actual (with non-zero weight); its one-vs-rest ROC AUC is not defined."),
                        nameof(actual));
                }

                double auc = BinaryClassificationMetrics.RocAuc(isClass.AsSpan(0, n), column.AsSpan(0, n), sampleWeights);
                double weight = averaging == ClassificationAveraging.Weighted ? support : 1.0;
                sum += auc * weight;
                supportSum += weight;
            }

            return sum / supportSum;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(column);
            ArrayPool<bool>.Shared.Return(isClass);
        }
    }

    /// <summary>
    /// −ln of the actual class's probability in scikit-learn 1.2's form: every probability clipped to [ε, 1 − ε] with
    /// ε = 2^-52, the row renormalised by its clipped sum.
    /// </summary>
    internal static double RowLoss(ReadOnlySpan<double> row, int actual)
    {
        const double Epsilon = BinaryClassificationMetrics.LogLossEpsilon;
        double rowSum = 0;
        foreach (double p in row)
        {
            rowSum += Math.Clamp(p, Epsilon, 1 - Epsilon);
        }

        return -Math.Log(Math.Clamp(row[actual], Epsilon, 1 - Epsilon) / rowSum);
    }

    /// <summary>
    /// Checks one example: its class in range, its probabilities in [0, 1] and summing to 1 (NumPy's <c>allclose</c>).
    /// <paramref name="example"/> is its index in a batch, or −1 for a single example.
    /// </summary>
    internal static void RequireRow(int actual, ReadOnlySpan<double> probabilities, int example)
    {
        if ((uint)actual >= (uint)probabilities.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(actual),
                string.Create(CultureInfo.InvariantCulture, $"{(example < 0 ? "the class" : $"actual[{example}]")} is {actual}; classes are 0 to {probabilities.Length - 1}."));
        }

        double rowSum = 0;
        for (int c = 0; c < probabilities.Length; c++)
        {
            MetricArguments.RequireProbability(probabilities[c], (Math.Max(example, 0) * probabilities.Length) + c, nameof(probabilities));
            rowSum += probabilities[c];
        }

        if (!(Math.Abs(rowSum - 1) <= 1e-8 + 1e-5))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"the probabilities of {(example < 0 ? "the example" : $"example {example}")} sum to {rowSum:G10}, not 1."),
                nameof(probabilities));
        }
    }

    private static void CheckBatch(ReadOnlySpan<int> actual, ReadOnlySpan<double> probabilities, int classCount, ReadOnlySpan<double> sampleWeights)
    {
        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier has at least 2 classes.");
        }

        MetricArguments.RequireEmptyOrSameLength(actual.Length, nameof(actual), sampleWeights.Length, nameof(sampleWeights));
        MetricArguments.RequireNotEmpty(actual.Length, nameof(actual));
        if ((long)actual.Length * classCount != probabilities.Length)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"probabilities has {probabilities.Length} values; {actual.Length} examples of {classCount} classes need {(long)actual.Length * classCount} (row-major)."),
                nameof(probabilities));
        }

        double total = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            RequireRow(actual[i], probabilities.Slice(i * classCount, classCount), i);
            total += sampleWeights.IsEmpty ? 1.0 : MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights));
        }

        MetricArguments.RequireUsableTotalWeight(total, nameof(sampleWeights));
    }
}
