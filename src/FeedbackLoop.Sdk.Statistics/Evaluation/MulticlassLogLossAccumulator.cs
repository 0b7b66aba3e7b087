using FeedbackLoop.State;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// The streaming form of <see cref="MulticlassMetrics.LogLoss"/>: add one example's class and probability row at a
/// time, merge two accumulators, read the log loss at any time. The value is the batch value of the same examples.
/// </summary>
/// <remarks>
/// A streaming one-vs-rest ROC AUC is one <see cref="BinnedRocAuc"/> per class, fed the class's probability with
/// <c>actual == class</c>. <see cref="Add"/> does not allocate. Not thread-safe: merge per-thread accumulators.
/// </remarks>
public sealed class MulticlassLogLossAccumulator : IMergeable<MulticlassLogLossAccumulator>
{
    private readonly int _classCount;
    private double _totalWeight;
    private double _sum;

    /// <summary>Initializes an empty accumulator.</summary>
    /// <param name="classCount">The number of classes, at least 2.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is less than 2.</exception>
    public MulticlassLogLossAccumulator(int classCount) =>
        _classCount = classCount >= 2 ? classCount : throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier has at least 2 classes.");

    /// <summary>Gets the number of classes.</summary>
    public int ClassCount => _classCount;

    /// <summary>Gets the total weight of the examples added.</summary>
    public double TotalWeight => _totalWeight;

    /// <summary>Gets the weighted mean log loss.</summary>
    /// <exception cref="InvalidOperationException">No example with positive weight has been added.</exception>
    public double LogLoss =>
        _totalWeight > 0
            ? _sum / _totalWeight
            : throw new InvalidOperationException("No example with positive weight has been added; an empty window has no loss.");

    /// <summary>Adds one example.</summary>
    /// <param name="actual">The actual class, 0 to <see cref="ClassCount"/> − 1.</param>
    /// <param name="probabilities">The predicted probability of each class, in [0, 1] and summing to 1.</param>
    /// <param name="weight">The example's weight; 1 by default.</param>
    /// <exception cref="ArgumentException"><paramref name="probabilities"/> does not have one value per class, or does not sum to 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The class is out of range, a probability is not in [0, 1], or the weight is negative or not finite; nothing is added.</exception>
    public void Add(int actual, ReadOnlySpan<double> probabilities, double weight = 1.0)
    {
        MetricArguments.RequireSameLength(_classCount, "classes", probabilities.Length, nameof(probabilities));
        MulticlassMetrics.RequireRow(actual, probabilities, example: -1);
        MetricArguments.RequireWeight(weight);
        _totalWeight += weight;
        _sum += weight * MulticlassMetrics.RowLoss(probabilities, actual);
    }

    /// <inheritdoc />
    public void Merge(MulticlassLogLossAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._classCount != _classCount)
        {
            throw new ArgumentException($"The accumulators have {_classCount} and {other._classCount} classes; only accumulators over the same classes merge.", nameof(other));
        }

        _totalWeight += other._totalWeight;
        _sum += other._sum;
    }

    /// <summary>Removes every example.</summary>
    public void Reset() => (_totalWeight, _sum) = (0, 0);
}
