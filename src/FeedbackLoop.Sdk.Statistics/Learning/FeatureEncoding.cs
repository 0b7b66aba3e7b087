using System.Collections.Frozen;
using System.Globalization;
using FeedbackLoop.Models;
using MathNet.Numerics.Statistics;

namespace FeedbackLoop.Learning;

/// <summary>
/// Maps a <see cref="FeatureVector"/> to the dense design-matrix row a linear model sees: numeric features standardised,
/// categorical features one-hot encoded.
/// </summary>
/// <remarks>
/// Column order: the numeric features by ordinal, then, for each categorical feature by ordinal, one column per category
/// seen in training, categories in ordinal (<see cref="StringComparer.Ordinal"/>) order.
/// A numeric value x becomes (x - mean) / scale, with the training mean and population standard deviation (ddof = 0, as
/// scikit-learn's StandardScaler); a feature that is constant in training gets scale 1 (StandardScaler does the same), and
/// one never observed in training gets mean 0 and scale 1. A missing (NaN) value is imputed with the training mean, which
/// is 0 after standardising. An unseen or missing category encodes as all zeros.
/// Immutable and thread-safe.
/// </remarks>
internal sealed class FeatureEncoding
{
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly string[][] _categories;
    private readonly FrozenDictionary<string, int>[] _columnOfCategory;

    internal FeatureEncoding(FeatureSchema schema, double[] means, double[] scales, string[][] categories)
    {
        Schema = schema;
        _means = means;
        _scales = scales;
        _categories = categories;
        _columnOfCategory = new FrozenDictionary<string, int>[categories.Length];
        var column = means.Length;
        var names = new List<string>(means.Length);
        names.AddRange(schema.NumericFeatures.Select(f => f.Name));
        var categorical = schema.CategoricalFeatures.ToArray();
        for (var j = 0; j < categories.Length; j++)
        {
            var map = new Dictionary<string, int>(categories[j].Length, StringComparer.Ordinal);
            foreach (var category in categories[j])
            {
                map.Add(category, column++);
                names.Add(string.Create(CultureInfo.InvariantCulture, $"{categorical[j].Name}={category}"));
            }

            _columnOfCategory[j] = map.ToFrozenDictionary(StringComparer.Ordinal);
        }

        ColumnCount = column;
        ColumnNames = names.AsReadOnly();
    }

    public FeatureSchema Schema { get; }

    public int ColumnCount { get; }

    public IReadOnlyList<string> ColumnNames { get; }

    public ReadOnlySpan<double> Means => _means;

    public ReadOnlySpan<double> Scales => _scales;

    public IReadOnlyList<IReadOnlyList<string>> Categories => _categories;

    /// <summary>Learns means, scales and category lists from the training examples, validating them on the way.</summary>
    /// <exception cref="ArgumentException">An example breaks the schema; the message names the example index and the feature.</exception>
    public static FeatureEncoding Fit(FeatureSchema schema, IReadOnlyList<LabelledExample> examples, CancellationToken cancellationToken)
    {
        var numeric = schema.NumericFeatures.ToArray();
        var categorical = schema.CategoricalFeatures.ToArray();
        var columns = new List<double>[numeric.Length];
        for (var k = 0; k < columns.Length; k++)
        {
            columns[k] = new List<double>(examples.Count);
        }

        var seen = new HashSet<string>[categorical.Length];
        for (var k = 0; k < seen.Length; k++)
        {
            seen[k] = new HashSet<string>(StringComparer.Ordinal);
        }

        for (var i = 0; i < examples.Count; i++)
        {
            if ((i & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var vector = examples[i].Prediction.Features;
            var values = vector.Numeric;
            foreach (var feature in numeric)
            {
                var x = values[feature.Ordinal];
                if (double.IsNaN(x))
                {
                    if (!feature.AllowMissing)
                    {
                        throw new ArgumentException(
                            $"Example {i}: numeric feature '{feature.Name}' is NaN (missing), but the schema does not allow missing values for it.",
                            nameof(examples));
                    }
                }
                else if (double.IsInfinity(x))
                {
                    throw new ArgumentException($"Example {i}: numeric feature '{feature.Name}' is {x}; values must be finite.", nameof(examples));
                }
                else
                {
                    columns[feature.Ordinal].Add(x);
                }
            }

            var categories = vector.Categorical;
            foreach (var feature in categorical)
            {
                var c = categories[feature.Ordinal];
                if (c is null)
                {
                    if (!feature.AllowMissing)
                    {
                        throw new ArgumentException(
                            $"Example {i}: categorical feature '{feature.Name}' is null (missing), but the schema does not allow missing values for it.",
                            nameof(examples));
                    }
                }
                else
                {
                    seen[feature.Ordinal].Add(c);
                }
            }
        }

        var means = new double[numeric.Length];
        var scales = new double[numeric.Length];
        for (var k = 0; k < numeric.Length; k++)
        {
            var observed = columns[k].ToArray();
            if (observed.Length == 0)
            {
                means[k] = 0.0;
                scales[k] = 1.0;
                continue;
            }

            means[k] = ArrayStatistics.Mean(observed);
            var sd = ArrayStatistics.PopulationStandardDeviation(observed);
            scales[k] = sd > 0.0 && double.IsFinite(sd) ? sd : 1.0;
        }

        var lists = new string[categorical.Length][];
        for (var k = 0; k < lists.Length; k++)
        {
            lists[k] = [.. seen[k].Order(StringComparer.Ordinal)];
        }

        return new FeatureEncoding(schema, means, scales, lists);
    }

    /// <summary>Writes the encoded row of <paramref name="features"/> into <paramref name="row"/> (length <see cref="ColumnCount"/>).</summary>
    public void Encode(FeatureVector features, Span<double> row)
    {
        row.Clear();
        var values = features.Numeric;
        for (var k = 0; k < _means.Length; k++)
        {
            var x = values[k];
            if (!double.IsNaN(x))
            {
                row[k] = (x - _means[k]) / _scales[k];
            }
        }

        var categories = features.Categorical;
        for (var j = 0; j < _columnOfCategory.Length; j++)
        {
            var c = categories[j];
            if (c is not null && _columnOfCategory[j].TryGetValue(c, out var column))
            {
                row[column] = 1.0;
            }
        }
    }

    /// <summary>Computes intercept + weights · encode(features) without materialising the row.</summary>
    public double LinearPredictor(FeatureVector features, ReadOnlySpan<double> weights, double intercept)
    {
        var z = intercept;
        var values = features.Numeric;
        for (var k = 0; k < _means.Length; k++)
        {
            var x = values[k];
            if (!double.IsNaN(x))
            {
                z += weights[k] * ((x - _means[k]) / _scales[k]);
            }
        }

        var categories = features.Categorical;
        for (var j = 0; j < _columnOfCategory.Length; j++)
        {
            var c = categories[j];
            if (c is not null && _columnOfCategory[j].TryGetValue(c, out var column))
            {
                z += weights[column];
            }
        }

        return z;
    }
}
