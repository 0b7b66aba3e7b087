using System.Collections.Frozen;
using System.Globalization;
using FeedbackLoop.Models;
using MathNet.Numerics.LinearAlgebra;

namespace FeedbackLoop.Learning;

/// <summary>
/// Maps a <see cref="FeatureVector"/> to the dense design-matrix row a linear model sees: numeric features winsorised and
/// standardised, categorical features one-hot encoded.
/// </summary>
/// <remarks>
/// <para>
/// Column order: the numeric features by ordinal, then, for each categorical feature by ordinal, one column per category
/// seen in training, categories in ordinal (<see cref="StringComparer.Ordinal"/>) order.
/// </para>
/// <para>
/// A numeric value x becomes clamp((clip(x) - mean) / scale, ±<see cref="StandardisedBound"/>), where clip(x) winsorises
/// x to the feature's training fences and mean and scale are the mean and population standard deviation (ddof = 0, as
/// scikit-learn's StandardScaler) of the winsorised training values; <see cref="NumericFeatureScaling"/> says how the
/// fences are chosen (far enough out that ordinary data are never clipped, so on such data this is StandardScaler) and
/// how the moments are computed without overflow. A feature that is constant in training gets scale 1 (StandardScaler
/// does the same), and one never observed in training gets mean 0, scale 1 and no fences. A missing (NaN) value is
/// imputed with the training mean, which is 0 after standardising. An unseen or missing category encodes as all zeros.
/// </para>
/// <para>
/// Every encoded value is finite for finite input: clip(x) - mean may overflow to ±∞ (both can be near ±1.8e308), and so
/// may the division by a small scale, but the clamp maps ±∞ to ±<see cref="StandardisedBound"/> with the right sign and
/// can never meet a NaN. The clamp never touches a training row, whose standardised value is at most √(n - 1) in
/// magnitude (Samuelson 1968, "How deviant can you be?", JASA 63(324)), unless the window has more than 10¹² rows.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
internal sealed class FeatureEncoding
{
    /// <summary>The largest magnitude of a standardised value: 10⁶ standard deviations, far beyond any training row.</summary>
    internal const double StandardisedBound = 1e6;

    private const int OverflowScaleExponent = 64;

    /// <summary>2⁻⁶⁴, exact: the weight scale of the overflow-safe recomputation of the linear predictor.</summary>
    private const double OverflowScale = 1.0 / 18446744073709551616.0;

    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[] _lowerFences;
    private readonly double[] _upperFences;
    private readonly string[][] _categories;
    private readonly FrozenDictionary<string, int>[] _columnOfCategory;

    /// <param name="schema">The schema.</param>
    /// <param name="means">Per numeric feature, the mean of its winsorised training values; finite.</param>
    /// <param name="scales">Per numeric feature, the standard deviation (1 if it was 0); finite and positive.</param>
    /// <param name="lowerFences">Per numeric feature, the lower winsorising fence; -∞ for none.</param>
    /// <param name="upperFences">Per numeric feature, the upper winsorising fence, at least the lower one; +∞ for none.</param>
    /// <param name="categories">Per categorical feature, its training categories in ordinal order.</param>
    internal FeatureEncoding(FeatureSchema schema, double[] means, double[] scales, double[] lowerFences, double[] upperFences, string[][] categories)
    {
        Schema = schema;
        _means = means;
        _scales = scales;
        _lowerFences = lowerFences;
        _upperFences = upperFences;
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

    public ReadOnlySpan<double> LowerFences => _lowerFences;

    public ReadOnlySpan<double> UpperFences => _upperFences;

    public IReadOnlyList<IReadOnlyList<string>> Categories => _categories;

    /// <summary>Learns fences, means, scales and category lists from the training set's columns, validating them on the way.</summary>
    /// <param name="data">The training set.</param>
    /// <param name="winsorised">Per numeric feature, how many training values lay beyond a fence and were clipped to it.</param>
    /// <param name="cancellationToken">Checked once per feature.</param>
    /// <exception cref="ArgumentException">A value breaks the schema; the message names the row and the feature.</exception>
    public static FeatureEncoding Fit(TrainingSet data, out int[] winsorised, CancellationToken cancellationToken)
    {
        var schema = data.Schema;
        var numeric = schema.NumericFeatures.ToArray();
        var categorical = schema.CategoricalFeatures.ToArray();
        var columns = new List<double>[numeric.Length];
        foreach (var feature in numeric)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var column = data.Numeric(feature.Ordinal);
            var observed = new List<double>(column.Length);
            for (var i = 0; i < column.Length; i++)
            {
                var x = column[i];
                if (double.IsNaN(x))
                {
                    if (!feature.AllowMissing)
                    {
                        throw new ArgumentException(
                            $"Example {i}: numeric feature '{feature.Name}' is NaN (missing), but the schema does not allow missing values for it.", nameof(data));
                    }
                }
                else if (double.IsInfinity(x))
                {
                    throw new ArgumentException($"Example {i}: numeric feature '{feature.Name}' is {x}; values must be finite.", nameof(data));
                }
                else
                {
                    observed.Add(x);
                }
            }

            columns[feature.Ordinal] = observed;
        }

        var seen = new HashSet<string>[categorical.Length];
        foreach (var feature in categorical)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var set = seen[feature.Ordinal] = new HashSet<string>(StringComparer.Ordinal);
            var column = data.Categorical(feature.Ordinal);
            for (var i = 0; i < column.Length; i++)
            {
                if (column[i] is { } c)
                {
                    set.Add(c);
                }
                else if (!feature.AllowMissing)
                {
                    throw new ArgumentException(
                        $"Example {i}: categorical feature '{feature.Name}' is null (missing), but the schema does not allow missing values for it.", nameof(data));
                }
            }
        }

        var means = new double[numeric.Length];
        var scales = new double[numeric.Length];
        var lowerFences = new double[numeric.Length];
        var upperFences = new double[numeric.Length];
        winsorised = new int[numeric.Length];
        for (var k = 0; k < numeric.Length; k++)
        {
            var observed = columns[k].ToArray();
            (lowerFences[k], upperFences[k]) = NumericFeatureScaling.FitFencesAndWinsorise(observed, out winsorised[k]);
            var (mean, sd) = NumericFeatureScaling.MeanAndStandardDeviation(observed);
            means[k] = mean;
            scales[k] = sd > 0.0 ? sd : 1.0;
        }

        var lists = new string[categorical.Length][];
        for (var k = 0; k < lists.Length; k++)
        {
            lists[k] = [.. seen[k].Order(StringComparer.Ordinal)];
        }

        return new FeatureEncoding(schema, means, scales, lowerFences, upperFences, lists);
    }

    /// <summary>Checks that a model of this encoding can score <paramref name="features"/>, without allocating.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> follows another schema.</exception>
    public void CheckSchema(FeatureVector features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!SameSchema(features.Schema, Schema))
        {
            throw new ArgumentException(
                $"The feature vector follows schema [{features.Schema}] but the model was trained on [{Schema}].", nameof(features));
        }
    }

    /// <summary>Encodes every row of a training set (of this encoding's schema) into a dense design matrix.</summary>
    /// <returns>The n × <see cref="ColumnCount"/> matrix, or <see langword="null"/> when there is no column (only categoricals, all missing), so the model is its intercept alone.</returns>
    public Matrix<double>? DesignMatrix(TrainingSet data)
    {
        if (ColumnCount == 0)
        {
            return null;
        }

        var x = Matrix<double>.Build.Dense(data.Count, ColumnCount);
        var row = new double[ColumnCount];
        var numeric = new double[Schema.NumericCount];
        var categorical = new string?[Schema.CategoricalCount];
        for (var i = 0; i < data.Count; i++)
        {
            data.CopyRow(i, numeric, categorical);
            Encode(numeric, categorical, row);
            x.SetRow(i, row);
        }

        return x;
    }

    /// <summary>Names the features that had training values beyond their fences, for a model's description; empty when none had.</summary>
    public static string WinsorisedNote(FeatureSchema schema, int[] winsorised)
    {
        var clipped = schema.NumericFeatures
            .Where(f => winsorised[f.Ordinal] > 0)
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"'{f.Name}' {winsorised[f.Ordinal]}"))
            .ToList();
        return clipped.Count == 0 ? string.Empty : $"; values winsorised to their fences: {string.Join(", ", clipped)}";
    }

    /// <summary>Writes the encoded row of <paramref name="features"/> into <paramref name="row"/> (length <see cref="ColumnCount"/>).</summary>
    public void Encode(FeatureVector features, Span<double> row) => Encode(features.Numeric, features.Categorical, row);

    /// <summary>Writes the encoded row of one input, given by its values in schema order, into <paramref name="row"/>.</summary>
    public void Encode(ReadOnlySpan<double> values, ReadOnlySpan<string?> categories, Span<double> row)
    {
        row.Clear();
        for (var k = 0; k < _means.Length; k++)
        {
            var x = values[k];
            if (!double.IsNaN(x))
            {
                row[k] = Standardise(k, x);
            }
        }

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
    /// <returns>The linear predictor: finite, or ±∞ when its true value exceeds the double range; never NaN.</returns>
    /// <remarks>
    /// The sum is accumulated directly, in the order of the encoded row. Only if that overflows (possible only with
    /// weights beyond about 10³⁰², which no training produces but a crafted artifact may hold) is it recomputed with
    /// every term scaled by 2⁻⁶⁴ and the result scaled back, so a +∞ partial sum can never meet a -∞ term: each scaled
    /// term is below 1.8e308 · 10⁶ · 2⁻⁶⁴ &lt; 2⁹⁸⁰, and fewer than 2³¹ of them cannot overflow. What the scaled weights
    /// lose to underflow is below 10⁻²⁸⁰ in absolute terms, nothing next to a sum that overflowed.
    /// </remarks>
    public double LinearPredictor(FeatureVector features, ReadOnlySpan<double> weights, double intercept)
    {
        var z = Accumulate(features, weights, intercept, 1.0);
        return double.IsFinite(z) ? z : Math.ScaleB(Accumulate(features, weights, intercept, OverflowScale), OverflowScaleExponent);
    }

    private double Accumulate(FeatureVector features, ReadOnlySpan<double> weights, double intercept, double weightScale)
    {
        var z = intercept * weightScale;
        var values = features.Numeric;
        for (var k = 0; k < _means.Length; k++)
        {
            var x = values[k];
            if (!double.IsNaN(x))
            {
                z += weights[k] * weightScale * Standardise(k, x);
            }
        }

        var categories = features.Categorical;
        for (var j = 0; j < _columnOfCategory.Length; j++)
        {
            var c = categories[j];
            if (c is not null && _columnOfCategory[j].TryGetValue(c, out var column))
            {
                z += weights[column] * weightScale;
            }
        }

        return z;
    }

    /// <summary>clamp((clip(x) - mean) / scale, ±StandardisedBound): finite for finite x, an overflow to ±∞ clamped with its sign.</summary>
    private double Standardise(int k, double x) =>
        Math.Clamp((Math.Clamp(x, _lowerFences[k], _upperFences[k]) - _means[k]) / _scales[k], -StandardisedBound, StandardisedBound);

    /// <summary>Compares feature by feature without allocating (FeatureSchema.Equals enumerates).</summary>
    private static bool SameSchema(FeatureSchema a, FeatureSchema b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        var x = a.Features;
        var y = b.Features;
        if (x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!x[i].Equals(y[i]))
            {
                return false;
            }
        }

        return true;
    }
}
