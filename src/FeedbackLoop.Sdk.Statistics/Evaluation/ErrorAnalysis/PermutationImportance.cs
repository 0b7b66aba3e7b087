using System.Globalization;
using FeedbackLoop.Models;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Evaluation.ErrorAnalysis;

/// <summary>
/// Permutation feature importance on a labelled window (Breiman 2001, "Random forests", Machine Learning 45(1),
/// section 10; Fisher, Rudin and Dominici 2019, "All models are wrong, but many are useful", JMLR 20, as model
/// reliance), in the form of scikit-learn's <c>permutation_importance</c>: the metric on the window as it is, minus the
/// metric with one feature's values shuffled across the examples, per repeat, so that a report can say which inputs
/// the model's quality depends on.
/// </summary>
/// <remarks>
/// The worsening is signed by the metric's direction: score − shuffled score for a higher-is-better metric, shuffled loss
/// − loss for a loss, so a positive importance always means the model relies on the feature. Each (feature, repeat)
/// shuffle is a seeded Fisher–Yates permutation of its own, so the result depends only on the seed. The predictor is
/// called once per example per feature per repeat, from the calling thread.
/// </remarks>
public static class PermutationImportance
{
    /// <summary>Computes every feature's importance, the largest first.</summary>
    /// <param name="predictor">The model.</param>
    /// <param name="window">The labelled examples (binary labels), all with one feature schema.</param>
    /// <param name="metric">The metric, for example <see cref="Metric.RocAuc"/> or <see cref="Metric.LogLoss"/>.</param>
    /// <param name="repeats">The number of shuffles per feature, 1 to 1,000; 5 by default (scikit-learn's <c>n_repeats</c>).</param>
    /// <param name="seed">The seed of the shuffles; 0 by default.</param>
    /// <returns>One importance per feature of the schema, by decreasing mean.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predictor"/>, <paramref name="window"/> or <paramref name="metric"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The window is empty, its examples have different schemas or a label that is not binary, or the metric is undefined on it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="repeats"/> is out of range, or a score is not accepted by the metric.</exception>
    public static IReadOnlyList<FeatureImportance> Compute(IPredictor predictor, IReadOnlyList<LabelledExample> window, Metric metric, int repeats = 5, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(metric);
        if (repeats is < 1 or > 1_000)
        {
            throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "The number of repeats must be between 1 and 1,000.");
        }

        MetricArguments.RequireNotEmpty(window.Count, nameof(window));
        FeatureSchema schema = window[0].Prediction.Features.Schema;
        bool[] actual = new bool[window.Count];
        FeatureVector[] features = new FeatureVector[window.Count];
        for (int i = 0; i < window.Count; i++)
        {
            features[i] = window[i].Prediction.Features;
            if (!schema.Equals(features[i].Schema) || window[i].Label.Kind != LabelKind.Binary)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"window[{i}] has another feature schema than window[0] or a label that is not binary."),
                    nameof(window));
            }

            actual[i] = window[i].Label.AsBoolean();
        }

        string? undefined = metric.UndefinedReason(actual, Score(predictor, features).Predicted, default);
        if (undefined is not null)
        {
            throw new ArgumentException($"{metric.Name} is not defined on this window: {undefined}.", nameof(window));
        }

        double baseline = Evaluate(predictor, features, actual, metric);
        var importances = new List<FeatureImportance>();
        foreach (FeatureDefinition feature in schema.Features)
        {
            double[] drops = new double[repeats];
            for (int r = 0; r < repeats; r++)
            {
                int stream = (((feature.Ordinal * 2) + (feature.Kind == FeatureKind.Numeric ? 0 : 1)) * 1_000) + r;
                int[] permutation = Permutation(window.Count, Resampling.Stream(seed, stream));
                FeatureVector[] shuffled = features.Select((f, i) =>
                {
                    FeatureVector copy = FeatureVector.Create(schema, f.Numeric, f.Categorical);
                    FeatureVector source = features[permutation[i]];
                    return feature.Kind == FeatureKind.Numeric
                        ? copy.Set(feature.Name, source.Numeric[feature.Ordinal])
                        : copy.Set(feature.Name, source.Categorical[feature.Ordinal]);
                }).ToArray();
                double permuted = Evaluate(predictor, shuffled, actual, metric);
                if (double.IsNaN(permuted))
                {
                    throw new InvalidOperationException(
                        $"{metric.Name} became undefined when {feature.Name} was shuffled; use a metric defined on any predicted labels, such as ROC AUC or log loss.");
                }

                drops[r] = metric.HigherIsBetter ? baseline - permuted : permuted - baseline;
            }

            double mean = drops.Average();
            importances.Add(new FeatureImportance(feature.Name, mean, Math.Sqrt(drops.Average(d => (d - mean) * (d - mean))), drops));
        }

        return importances.OrderByDescending(i => i.Mean).ToList();
    }

    private static double Evaluate(IPredictor predictor, FeatureVector[] features, bool[] actual, Metric metric)
    {
        (bool[] predicted, double[] scores) = Score(predictor, features);
        return metric.UndefinedReason(actual, predicted, default) is null ? metric.Compute(actual, predicted, scores) : double.NaN;
    }

    /// <summary>The predicted labels and scores; a model without a score gives its label as 0 or 1, as the promotion gates read it.</summary>
    private static (bool[] Predicted, double[] Scores) Score(IPredictor predictor, FeatureVector[] features)
    {
        bool[] predicted = new bool[features.Length];
        double[] scores = new double[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            PredictionOutput output = predictor.Predict(features[i]);
            predicted[i] = output.Label.AsBoolean();
            scores[i] = double.IsNaN(output.Score) ? (predicted[i] ? 1.0 : 0.0) : output.Score;
        }

        return (predicted, scores);
    }

    /// <summary>A Fisher–Yates (Durstenfeld) shuffle of 0..n−1.</summary>
    private static int[] Permutation(int n, SplitMix64 random)
    {
        int[] permutation = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.NextInt32(i + 1);
            (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
        }

        return permutation;
    }
}
