using System.Globalization;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;

namespace FeedbackLoop.Drift;

/// <summary>
/// Multivariate drift by a domain classifier (NannyML's "domain classifier", the classifier two-sample test of
/// Lopez-Paz and Oquab 2017): a model is trained to tell current rows from reference rows, and if it does better than
/// chance under cross-validation, the two sets differ.
/// </summary>
/// <remarks>
/// <para>
/// The classifier is the library's L2-regularised logistic regression (<see cref="LogisticRegressionLearner"/>:
/// standardised numeric features, one-hot categories), so it sees shifts in means and in linear combinations of
/// features; NannyML uses gradient-boosted trees, which also see non-linear differences. Rows are assigned to
/// <see cref="DomainClassifierOptions.Folds"/> stratified folds by a seeded shuffle; each fold is scored by the
/// model trained on the others, and the verdict reads the mean fold ROC AUC against the band
/// [<see cref="DomainClassifierOptions.LowerAuc"/>, <see cref="DomainClassifierOptions.UpperAuc"/>] (NannyML's
/// defaults 0.45 and 0.65). An AUC near 0.5 means the sets are indistinguishable.
/// </para>
/// <para>Immutable and thread-safe; each comparison trains its own models.</para>
/// </remarks>
public sealed class DomainClassifierDrift
{
    private readonly FeatureSchema _schema;
    private readonly DomainClassifierOptions _options;
    private readonly LogisticRegressionLearner _learner = new();

    /// <summary>Initializes a new instance of the <see cref="DomainClassifierDrift"/> class.</summary>
    /// <param name="schema">The schema of the compared vectors.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public DomainClassifierDrift(FeatureSchema schema, DomainClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        options ??= new DomainClassifierOptions();
        if (options.Folds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Folds, "Folds must be at least 2.");
        }

        if (!(options.LowerAuc >= 0 && options.LowerAuc <= 0.5) || !(options.UpperAuc >= 0.5 && options.UpperAuc <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), (options.LowerAuc, options.UpperAuc), "LowerAuc must be in [0, 0.5] and UpperAuc in [0.5, 1].");
        }

        _schema = schema;
        _options = new DomainClassifierOptions { Folds = options.Folds, LowerAuc = options.LowerAuc, UpperAuc = options.UpperAuc, Seed = options.Seed };
    }

    /// <summary>Trains and cross-validates the domain classifier on the two sets.</summary>
    /// <param name="reference">The reference vectors.</param>
    /// <param name="current">The current vectors.</param>
    /// <param name="cancellationToken">Cancels the training between and within folds.</param>
    /// <returns>The cross-validated AUC and the verdict.</returns>
    /// <exception cref="ArgumentNullException">A set, or one of its vectors, is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A vector follows another schema, or a set has fewer vectors than there are folds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public DomainClassifierResult Compare(IReadOnlyList<FeatureVector> reference, IReadOnlyList<FeatureVector> current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var examples = new List<(FeatureVector Features, bool IsCurrent, int Fold)>(reference.Count + current.Count);
        var random = new Random(_options.Seed);
        AddExamples(examples, reference, isCurrent: false, random, nameof(reference));
        AddExamples(examples, current, isCurrent: true, random, nameof(current));

        var foldAucs = new double[_options.Folds];
        for (int fold = 0; fold < _options.Folds; fold++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var training = TrainingSet.CreateBuilder(_schema, ModelTask.Binary);
            foreach (var (features, isCurrent, _) in examples.Where(e => e.Fold != fold))
            {
                training.Add(features, Label.Binary(isCurrent), source: "domain-classifier");
            }

            var model = (LogisticRegressionModel)_learner.TrainAsync(training.Build(), cancellationToken).GetAwaiter().GetResult().Predictor;
            var held = examples.Where(e => e.Fold == fold).ToArray();
            bool[] actual = [.. held.Select(e => e.IsCurrent)];
            double[] scores = [.. held.Select(e => model.Predict(e.Features).Score)];
            foldAucs[fold] = BinaryClassificationMetrics.RocAuc(actual, scores);
        }

        double auc = foldAucs.Average();
        return new DomainClassifierResult(
            auc,
            foldAucs,
            _options.LowerAuc,
            _options.UpperAuc,
            auc < _options.LowerAuc || auc > _options.UpperAuc,
            reference.Count,
            current.Count);
    }

    /// <summary>Adds one set's vectors as examples labelled by set, spread over the folds by a seeded shuffle (stratified: each set is spread on its own).</summary>
    private void AddExamples(List<(FeatureVector, bool, int)> examples, IReadOnlyList<FeatureVector> vectors, bool isCurrent, Random random, string paramName)
    {
        if (vectors.Count < _options.Folds)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The {paramName} set has {vectors.Count} vectors; at least {_options.Folds} (one per fold) are needed."),
                paramName);
        }

        int[] order = [.. Enumerable.Range(0, vectors.Count)];
        random.Shuffle(order);
        for (int position = 0; position < order.Length; position++)
        {
            int i = order[position];
            FeatureVector vector = vectors[i] ?? throw new ArgumentNullException(paramName, string.Create(CultureInfo.InvariantCulture, $"The vector at index {i} is null."));
            if (!_schema.Equals(vector.Schema))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The vector at index {i} follows the schema {vector.Schema}, not {_schema}."), paramName);
            }

            examples.Add((vector, isCurrent, position % _options.Folds));
        }
    }
}
