using System.Collections.Frozen;
using System.Globalization;
using FeedbackLoop.Inference;

namespace FeedbackLoop.Drift;

/// <summary>
/// Compares current feature vectors with a reference set, feature by feature: a two-sample test of each feature's
/// values, a test of its missing-value rate, and a count of categories never seen in the reference, with a
/// multiple-testing correction across the features and a dataset-level verdict.
/// </summary>
/// <remarks>
/// <para>
/// The constructor prepares everything that depends on the reference once: each feature's test (chosen by
/// <see cref="FeatureDriftOptions.TestSelector"/>, by default <see cref="DriftTestSelection.Default"/>), and for a
/// categorical feature the code of each reference category. Missing values (NaN for a numeric feature,
/// <see langword="null"/> for a categorical one) are left out of the distribution test and tested on their own: a
/// two-proportion z-test of the missing-value rates. A categorical value absent from the reference gets a code of its
/// own, so the distribution test sees the new category (for example as a column with no reference count in a
/// chi-square table), and is also counted as an unseen-category signal.
/// </para>
/// <para>
/// Features whose test gives a p-value are corrected together (<see cref="FeatureDriftOptions.Correction"/>) and judged
/// against their test's threshold; a distance has no p-value and is judged against its own threshold. A feature with
/// insufficient data is never drifted. The dataset is drifted when the share of drifted features reaches
/// <see cref="FeatureDriftOptions.DatasetDriftShare"/> (Evidently's dataset drift rule).
/// </para>
/// <para>Immutable after construction and thread-safe: many threads may call <see cref="Compare"/> at once.</para>
/// </remarks>
public sealed class FeatureDriftAnalyzer
{
    private const int MaximumListedUnseen = 20;

    private readonly FeatureSchema _schema;
    private readonly Column[] _columns;
    private readonly MultipleTestingCorrection _correction;
    private readonly double _datasetDriftShare;
    private readonly double _unseenCategoryShare;

    /// <summary>Initializes a new instance of the <see cref="FeatureDriftAnalyzer"/> class.</summary>
    /// <param name="schema">The schema every vector follows.</param>
    /// <param name="reference">The reference vectors.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/> or <paramref name="reference"/> (or one of its vectors) is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A reference vector follows another schema.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The test selector returned <see langword="null"/>.</exception>
    public FeatureDriftAnalyzer(FeatureSchema schema, IReadOnlyList<FeatureVector> reference, FeatureDriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(reference);
        options ??= new FeatureDriftOptions();
        Validate(options);
        _schema = schema;
        _correction = options.Correction;
        _datasetDriftShare = options.DatasetDriftShare;
        _unseenCategoryShare = options.UnseenCategoryShare;
        CheckSchema(reference, nameof(reference));

        Func<FeatureDriftProfile, ITwoSampleTest> select = options.TestSelector ?? DriftTestSelection.Default;
        var missingTest = new ProportionZTest(options.MissingRateAlpha);
        _columns = new Column[schema.Features.Count];
        for (int f = 0; f < _columns.Length; f++)
        {
            FeatureDefinition feature = schema.Features[f];
            (object?[] raw, double[] missing) = Read(feature, reference);
            var codes = new Dictionary<object, int>();
            foreach (object? value in raw)
            {
                codes.TryAdd(value!, codes.Count);
            }

            ITwoSampleTest test = select(new FeatureDriftProfile(feature, codes.Count, raw.Length))
                ?? throw new InvalidOperationException($"The test selector returned null for feature '{feature.Name}'.");
            SampleDomain domain = test is IHasSampleDomain known ? known.Domain
                : feature.Kind == FeatureKind.Categorical ? SampleDomain.CategoryCodes
                : SampleDomain.Values;
            var column = new Column(feature, domain, codes.ToFrozenDictionary());
            _columns[f] = column with
            {
                Test = test.Prepare(column.Encode(raw, unseen: null)),
                Missing = missingTest.Prepare(missing),
            };
        }
    }

    /// <summary>Compares current vectors with the reference.</summary>
    /// <param name="current">The current vectors.</param>
    /// <returns>One result per feature and the dataset verdict.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="current"/> (or one of its vectors) is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A current vector follows another schema.</exception>
    public DatasetDriftReport Compare(IReadOnlyList<FeatureVector> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        CheckSchema(current, nameof(current));

        var distributions = new TwoSampleResult[_columns.Length];
        var missing = new TwoSampleResult[_columns.Length];
        var unseen = new Dictionary<object, int>[_columns.Length];
        var unseenCounts = new long[_columns.Length];
        for (int f = 0; f < _columns.Length; f++)
        {
            Column column = _columns[f];
            (object?[] raw, double[] missingIndicators) = Read(column.Feature, current);
            unseen[f] = [];
            distributions[f] = column.Test!.Compare(column.Encode(raw, unseen[f]));
            missing[f] = column.Missing!.Compare(missingIndicators);
            if (column.Feature.Kind == FeatureKind.Categorical)
            {
                unseenCounts[f] = raw.LongCount(value => !column.Codes.ContainsKey(value!));
            }
        }

        double?[] adjusted = AdjustPValues(distributions);
        var results = new FeatureDriftResult[_columns.Length];
        int drifted = 0;
        for (int f = 0; f < results.Length; f++)
        {
            TwoSampleResult distribution = distributions[f];
            bool isDrift = distribution.Outcome != TwoSampleOutcome.InsufficientData
                && (adjusted[f] is { } q ? q < distribution.Threshold : distribution.IsDrift);
            drifted += isDrift ? 1 : 0;
            bool categorical = _columns[f].Feature.Kind == FeatureKind.Categorical;
            long present = distribution.CurrentCount;
            results[f] = new FeatureDriftResult(
                _columns[f].Feature.Name,
                _columns[f].Feature.Kind,
                distribution,
                adjusted[f],
                isDrift,
                missing[f],
                unseenCounts[f],
                categorical ? [.. unseen[f].Keys.Take(MaximumListedUnseen).Cast<string>()] : [],
                present > 0 && (double)unseenCounts[f] / present > _unseenCategoryShare);
        }

        double share = results.Length == 0 ? 0 : (double)drifted / results.Length;
        return new DatasetDriftReport(results, _correction, share, results.Length > 0 && share >= _datasetDriftShare);
    }

    private double?[] AdjustPValues(TwoSampleResult[] distributions)
    {
        var indexes = new List<int>();
        for (int f = 0; f < distributions.Length; f++)
        {
            if (distributions[f].Outcome != TwoSampleOutcome.InsufficientData && distributions[f].PValue is not null)
            {
                indexes.Add(f);
            }
        }

        double[] raw = indexes.Select(f => distributions[f].PValue!.Value).ToArray();
        double[] corrected = MultipleTesting.Adjust(raw, _correction);
        var adjusted = new double?[distributions.Length];
        for (int i = 0; i < indexes.Count; i++)
        {
            adjusted[indexes[i]] = corrected[i];
        }

        return adjusted;
    }

    /// <summary>The non-missing values of a feature (boxed doubles or strings) and the 0/1 missing indicator of every vector.</summary>
    private static (object?[] Values, double[] Missing) Read(FeatureDefinition feature, IReadOnlyList<FeatureVector> vectors)
    {
        var values = new List<object?>(vectors.Count);
        var missing = new double[vectors.Count];
        for (int i = 0; i < vectors.Count; i++)
        {
            object? value = feature.Kind == FeatureKind.Numeric
                ? (double.IsNaN(vectors[i].Numeric[feature.Ordinal]) ? null : vectors[i].Numeric[feature.Ordinal])
                : vectors[i].Categorical[feature.Ordinal];
            if (value is null)
            {
                missing[i] = 1;
            }
            else
            {
                values.Add(value);
            }
        }

        return ([.. values], missing);
    }

    private static void Validate(FeatureDriftOptions options)
    {
        if (!(options.DatasetDriftShare > 0 && options.DatasetDriftShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DatasetDriftShare, "DatasetDriftShare must be in (0, 1].");
        }

        if (!(options.MissingRateAlpha > 0 && options.MissingRateAlpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MissingRateAlpha, "MissingRateAlpha must be in (0, 1).");
        }

        if (!(options.UnseenCategoryShare >= 0 && options.UnseenCategoryShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.UnseenCategoryShare, "UnseenCategoryShare must be in [0, 1).");
        }

        if (options.Correction is not (MultipleTestingCorrection.None or MultipleTestingCorrection.Bonferroni or MultipleTestingCorrection.BenjaminiHochberg))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Correction, "Correction must be None, Bonferroni or BenjaminiHochberg.");
        }
    }

    private void CheckSchema(IReadOnlyList<FeatureVector> vectors, string paramName)
    {
        for (int i = 0; i < vectors.Count; i++)
        {
            FeatureVector vector = vectors[i] ?? throw new ArgumentNullException(paramName, string.Create(CultureInfo.InvariantCulture, $"The vector at index {i} is null."));
            if (!_schema.Equals(vector.Schema))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The vector at index {i} follows the schema {vector.Schema}, not the analyzer's {_schema}."),
                    paramName);
            }
        }
    }

    /// <summary>A feature, how its values are encoded for its test, the code of each reference value, and the prepared tests.</summary>
    private sealed record Column(FeatureDefinition Feature, SampleDomain Domain, FrozenDictionary<object, int> Codes)
    {
        public IPreparedTwoSampleTest? Test { get; init; }

        public IPreparedTwoSampleTest? Missing { get; init; }

        /// <summary>
        /// Numeric values go to a continuous test as they are; everything else becomes the code of its reference value
        /// (a value the reference never had gets the next free code, recorded in <paramref name="unseen"/>), or for a
        /// binary test the indicator of the reference's first value, as Evidently's z-test compares that proportion.
        /// </summary>
        public double[] Encode(object?[] raw, Dictionary<object, int>? unseen)
        {
            var encoded = new double[raw.Length];
            for (int i = 0; i < raw.Length; i++)
            {
                object value = raw[i]!;
                if (Domain == SampleDomain.Values && value is double number)
                {
                    encoded[i] = number;
                    continue;
                }

                if (!Codes.TryGetValue(value, out int code))
                {
                    code = unseen is null ? throw new InvalidOperationException("A reference value has no code.")
                        : unseen.TryGetValue(value, out int assigned) ? assigned
                        : unseen[value] = Codes.Count + unseen.Count;
                }

                encoded[i] = Domain == SampleDomain.Binary ? (code == 0 ? 1 : 0) : code;
            }

            return encoded;
        }
    }
}
