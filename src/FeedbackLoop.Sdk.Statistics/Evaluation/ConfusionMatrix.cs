using System.Globalization;
using FeedbackLoop.State;

namespace FeedbackLoop.Evaluation;

/// <summary>
/// A (weighted) confusion matrix of a classifier with a fixed number of classes, and every metric read from one:
/// accuracy, balanced accuracy, precision, recall and F1 per class or averaged, Matthews correlation and Cohen's kappa.
/// It is both the batch form (<see cref="From(ReadOnlySpan{int}, ReadOnlySpan{int}, int, ReadOnlySpan{double})"/>)
/// and the streaming accumulator (<see cref="Add(int, int, double)"/>, <see cref="Merge"/>, read at any time).
/// </summary>
/// <remarks>
/// <para>
/// Classes are the integers <c>0</c> to <see cref="ClassCount"/> - 1; for a binary classifier class 1 is the positive
/// class (<see cref="Add(bool, bool, double)"/>). Cell <c>[a, p]</c> holds the total weight of the examples of actual
/// class <c>a</c> predicted as <c>p</c>, as scikit-learn's <c>confusion_matrix</c> with <c>labels</c> set to every
/// class. Each metric is scikit-learn 1.2's on the same examples and weights (<c>accuracy_score</c>,
/// <c>balanced_accuracy_score</c>, <c>precision_recall_fscore_support</c> with <c>zero_division=0</c>,
/// <c>matthews_corrcoef</c>, <c>cohen_kappa_score</c>), checked against its values to 1e-9.
/// </para>
/// <para>
/// A rate whose denominator is zero, such as the precision of a class never predicted or the recall of a class with
/// no examples, is 0, as scikit-learn's <c>zero_division=0</c>; so are Matthews correlation and Cohen's kappa when
/// one side of the matrix has a single class (nothing beyond chance can be shown). Reading a metric of a matrix with
/// no weight at all throws <see cref="InvalidOperationException"/>: an empty window has no accuracy.
/// </para>
/// <para>
/// Windows: a tumbling window is a matrix read and then <see cref="Reset"/>; a rolling window is a ring of matrices,
/// one per sub-window, merged when read. <see cref="Add(int, int, double)"/> does not allocate. Instances are not
/// thread-safe; merge per-thread matrices instead of sharing one.
/// </para>
/// </remarks>
public sealed class ConfusionMatrix : IMergeable<ConfusionMatrix>
{
    private readonly int _classCount;
    private readonly double[] _cells;
    private double _totalWeight;

    /// <summary>Initializes an empty matrix.</summary>
    /// <param name="classCount">The number of classes, at least 2.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is less than 2 or more than 4,096.</exception>
    public ConfusionMatrix(int classCount)
    {
        if (classCount is < 2 or > 4_096)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A confusion matrix needs between 2 and 4,096 classes.");
        }

        _classCount = classCount;
        _cells = new double[classCount * classCount];
    }

    /// <summary>Gets the number of classes.</summary>
    public int ClassCount => _classCount;

    /// <summary>Gets the total weight of the examples added (their count when unweighted).</summary>
    public double TotalWeight => _totalWeight;

    /// <summary>Gets the fraction of the weight on the diagonal: correct predictions.</summary>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double Accuracy => Trace() / RequireWeight();

    /// <summary>
    /// Gets the mean recall over the classes that have examples (scikit-learn's <c>balanced_accuracy_score</c>; classes
    /// only ever predicted are left out, as there).
    /// </summary>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double BalancedAccuracy
    {
        get
        {
            RequireWeight();
            double sum = 0;
            int present = 0;
            for (int c = 0; c < _classCount; c++)
            {
                double support = ActualWeight(c);
                if (support > 0)
                {
                    sum += _cells[(c * _classCount) + c] / support;
                    present++;
                }
            }

            return sum / present;
        }
    }

    /// <summary>
    /// Gets the Matthews correlation coefficient in its multiclass form (Gorodkin 2004, "Comparing two K-category
    /// assignments by a K-category correlation coefficient", Computational Biology and Chemistry 28(5)), which is
    /// Matthews' φ for two classes: (c·s − Σ t_k p_k) / sqrt((s² − Σ p_k²)(s² − Σ t_k²)) with c the correct weight,
    /// s the total, t_k and p_k the actual and predicted weight of class k.
    /// </summary>
    /// <value>In [-1, 1]; 0 when every actual or every predicted example is of one class.</value>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double MatthewsCorrelation
    {
        get
        {
            double total = RequireWeight();
            double actualSquares = 0;
            double predictedSquares = 0;
            double crossed = 0;
            for (int c = 0; c < _classCount; c++)
            {
                double actual = ActualWeight(c);
                double predicted = PredictedWeight(c);
                actualSquares += actual * actual;
                predictedSquares += predicted * predicted;
                crossed += actual * predicted;
            }

            double covariance = (Trace() * total) - crossed;
            double predictedVariance = (total * total) - predictedSquares;
            double actualVariance = (total * total) - actualSquares;
            double product = actualVariance * predictedVariance;
            return product == 0 ? 0 : covariance / Math.Sqrt(product);
        }
    }

    /// <summary>
    /// Gets Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales", Educational and Psychological
    /// Measurement 20(1)), agreement beyond chance between actual and predicted classes: 1 − (observed disagreement /
    /// disagreement expected from the margins), as scikit-learn computes it.
    /// </summary>
    /// <value>At most 1; 0 when the margins leave no disagreement to expect (both sides one and the same class).</value>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double CohenKappa
    {
        get
        {
            double total = RequireWeight();
            double observed = 0;
            double expected = 0;
            for (int a = 0; a < _classCount; a++)
            {
                double actual = ActualWeight(a);
                for (int p = 0; p < _classCount; p++)
                {
                    if (a != p)
                    {
                        observed += _cells[(a * _classCount) + p];
                        expected += PredictedWeight(p) * actual / total;
                    }
                }
            }

            return expected == 0 ? 0 : 1 - (observed / expected);
        }
    }

    /// <summary>Gets the weight of the examples of actual class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    /// <param name="actual">The actual class.</param>
    /// <param name="predicted">The predicted class.</param>
    /// <returns>The cell's weight.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside [0, <see cref="ClassCount"/>).</exception>
    public double this[int actual, int predicted] =>
        _cells[(RequireClass(actual, nameof(actual)) * _classCount) + RequireClass(predicted, nameof(predicted))];

    /// <summary>Builds the matrix of a batch.</summary>
    /// <param name="actual">The actual classes.</param>
    /// <param name="predicted">The predicted classes, one per example.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside [0, <paramref name="classCount"/>), or a weight is negative or not finite.</exception>
    public static ConfusionMatrix From(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount, ReadOnlySpan<double> sampleWeights = default)
    {
        MetricArguments.RequireBatch(actual.Length, predicted.Length, nameof(predicted), sampleWeights.Length);
        var matrix = new ConfusionMatrix(classCount);
        for (int i = 0; i < actual.Length; i++)
        {
            double weight = sampleWeights.IsEmpty ? 1.0 : MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights));
            matrix.AddChecked(actual[i], predicted[i], weight, i);
        }

        MetricArguments.RequireUsableTotalWeight(matrix._totalWeight, nameof(sampleWeights));
        return matrix;
    }

    /// <summary>Builds the two-class matrix of a batch of binary labels (class 1 = <see langword="true"/>, the positive class).</summary>
    /// <param name="actual">The actual labels.</param>
    /// <param name="predicted">The predicted labels, one per example.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative or not finite.</exception>
    public static ConfusionMatrix From(ReadOnlySpan<bool> actual, ReadOnlySpan<bool> predicted, ReadOnlySpan<double> sampleWeights = default)
    {
        MetricArguments.RequireBatch(actual.Length, predicted.Length, nameof(predicted), sampleWeights.Length);
        var matrix = new ConfusionMatrix(2);
        for (int i = 0; i < actual.Length; i++)
        {
            double weight = sampleWeights.IsEmpty ? 1.0 : MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights));
            matrix.AddChecked(actual[i] ? 1 : 0, predicted[i] ? 1 : 0, weight, i);
        }

        MetricArguments.RequireUsableTotalWeight(matrix._totalWeight, nameof(sampleWeights));
        return matrix;
    }

    /// <summary>Adds one example.</summary>
    /// <param name="actual">The actual class.</param>
    /// <param name="predicted">The predicted class.</param>
    /// <param name="weight">The example's weight; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside [0, <see cref="ClassCount"/>), or the weight is negative or not finite; nothing is added.</exception>
    public void Add(int actual, int predicted, double weight = 1.0) => AddChecked(actual, predicted, weight, index: -1);

    /// <summary>Adds one example of a two-class matrix (class 1 = <see langword="true"/>).</summary>
    /// <param name="actual">The actual label.</param>
    /// <param name="predicted">The predicted label.</param>
    /// <param name="weight">The example's weight; 1 by default.</param>
    /// <exception cref="InvalidOperationException">The matrix has more than two classes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The weight is negative or not finite; nothing is added.</exception>
    public void Add(bool actual, bool predicted, double weight = 1.0)
    {
        if (_classCount != 2)
        {
            throw new InvalidOperationException($"Binary labels need a two-class matrix; this one has {_classCount} classes.");
        }

        AddChecked(actual ? 1 : 0, predicted ? 1 : 0, weight, index: -1);
    }

    /// <inheritdoc />
    public void Merge(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._classCount != _classCount)
        {
            throw new ArgumentException($"The matrices have {_classCount} and {other._classCount} classes; only matrices over the same classes merge.", nameof(other));
        }

        for (int i = 0; i < _cells.Length; i++)
        {
            _cells[i] += other._cells[i];
        }

        _totalWeight += other._totalWeight;
    }

    /// <summary>Removes every example.</summary>
    public void Reset()
    {
        Array.Clear(_cells);
        _totalWeight = 0;
    }

    /// <summary>Gets the precision of one class: the share of the weight predicted as it that is of it.</summary>
    /// <param name="positiveClass">The class; 1 for the positive class of a binary classifier.</param>
    /// <returns>The precision in [0, 1]; 0 when the class is never predicted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="positiveClass"/> is not a class.</exception>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double Precision(int positiveClass)
    {
        int c = RequireClass(positiveClass, nameof(positiveClass));
        RequireWeight();
        return Ratio(_cells[(c * _classCount) + c], PredictedWeight(c));
    }

    /// <summary>Gets the recall of one class: the share of its weight predicted as it.</summary>
    /// <param name="positiveClass">The class; 1 for the positive class of a binary classifier.</param>
    /// <returns>The recall in [0, 1]; 0 when the class has no examples.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="positiveClass"/> is not a class.</exception>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double Recall(int positiveClass)
    {
        int c = RequireClass(positiveClass, nameof(positiveClass));
        RequireWeight();
        return Ratio(_cells[(c * _classCount) + c], ActualWeight(c));
    }

    /// <summary>Gets the F1 score of one class, the harmonic mean of its precision and recall.</summary>
    /// <param name="positiveClass">The class; 1 for the positive class of a binary classifier.</param>
    /// <returns>The F1 score in [0, 1]; 0 when precision and recall are both 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="positiveClass"/> is not a class.</exception>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double F1(int positiveClass) => FScore(Precision(positiveClass), Recall(positiveClass));

    /// <summary>Gets the precision averaged over all classes.</summary>
    /// <param name="averaging">How the per-class values are combined.</param>
    /// <returns>The averaged precision in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="averaging"/> is not defined.</exception>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double Precision(ClassificationAveraging averaging) =>
        Average(averaging, Precision, (correct, predicted, _) => Ratio(correct, predicted));

    /// <summary>Gets the recall averaged over all classes.</summary>
    /// <param name="averaging">How the per-class values are combined.</param>
    /// <returns>The averaged recall in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="averaging"/> is not defined.</exception>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double Recall(ClassificationAveraging averaging) =>
        Average(averaging, Recall, (correct, _, actual) => Ratio(correct, actual));

    /// <summary>Gets the F1 score averaged over all classes (the average of per-class F1, not the F1 of averages).</summary>
    /// <param name="averaging">How the per-class values are combined.</param>
    /// <returns>The averaged F1 score in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="averaging"/> is not defined.</exception>
    /// <exception cref="InvalidOperationException">The matrix holds no weight.</exception>
    public double F1(ClassificationAveraging averaging) =>
        Average(averaging, F1, (correct, predicted, actual) => FScore(Ratio(correct, predicted), Ratio(correct, actual)));

    /// <summary>Copies the cells into a new array, <c>[actual, predicted]</c>.</summary>
    /// <returns>A <see cref="ClassCount"/> × <see cref="ClassCount"/> array of weights.</returns>
    public double[,] ToArray()
    {
        var cells = new double[_classCount, _classCount];
        for (int a = 0; a < _classCount; a++)
        {
            for (int p = 0; p < _classCount; p++)
            {
                cells[a, p] = _cells[(a * _classCount) + p];
            }
        }

        return cells;
    }

    private static double Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : 0;

    // scikit-learn's (1 + β²) P R / (β² P + R) with β = 1, in its order of operations.
    private static double FScore(double precision, double recall) =>
        precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;

    private double Average(ClassificationAveraging averaging, Func<int, double> perClass, Func<double, double, double, double> fromTotals)
    {
        if (averaging is not (ClassificationAveraging.Micro or ClassificationAveraging.Macro or ClassificationAveraging.Weighted))
        {
            throw new ArgumentOutOfRangeException(nameof(averaging), averaging, "The averaging must be Micro, Macro or Weighted.");
        }

        RequireWeight();
        if (averaging == ClassificationAveraging.Micro)
        {
            return fromTotals(Trace(), _totalWeight, _totalWeight);
        }

        double sum = 0;
        for (int c = 0; c < _classCount; c++)
        {
            sum += perClass(c) * (averaging == ClassificationAveraging.Weighted ? ActualWeight(c) : 1.0);
        }

        return sum / (averaging == ClassificationAveraging.Weighted ? _totalWeight : _classCount);
    }

    private void AddChecked(int actual, int predicted, double weight, int index)
    {
        if ((uint)actual >= (uint)_classCount || (uint)predicted >= (uint)_classCount)
        {
            ThrowBadClass(actual, predicted, index);
        }

        MetricArguments.RequireWeight(weight);

        _cells[(actual * _classCount) + predicted] += weight;
        _totalWeight += weight;
    }

    private void ThrowBadClass(int actual, int predicted, int index)
    {
        string where = index < 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" at index {index}");
        string paramName = (uint)actual >= (uint)_classCount ? nameof(actual) : nameof(predicted);
        int value = paramName == nameof(actual) ? actual : predicted;
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            string.Create(CultureInfo.InvariantCulture, $"The {paramName} class{where} is {value}; classes are 0 to {_classCount - 1}."));
    }

    private int RequireClass(int value, string paramName) =>
        (uint)value < (uint)_classCount
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"Classes are 0 to {_classCount - 1}.");

    private double RequireWeight() =>
        _totalWeight > 0
            ? _totalWeight
            : throw new InvalidOperationException("The confusion matrix holds no examples with positive weight; an empty window has no metric value.");

    private double Trace()
    {
        double trace = 0;
        for (int c = 0; c < _classCount; c++)
        {
            trace += _cells[(c * _classCount) + c];
        }

        return trace;
    }

    private double ActualWeight(int actual)
    {
        double sum = 0;
        for (int p = 0; p < _classCount; p++)
        {
            sum += _cells[(actual * _classCount) + p];
        }

        return sum;
    }

    private double PredictedWeight(int predicted)
    {
        double sum = 0;
        for (int a = 0; a < _classCount; a++)
        {
            sum += _cells[(a * _classCount) + predicted];
        }

        return sum;
    }
}
