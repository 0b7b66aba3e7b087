using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace FeedbackLoop.Drift;

/// <summary>
/// Multivariate drift by PCA reconstruction error, NannyML's data reconstruction method: a change in how features
/// vary together raises the error of reconstructing rows from the reference's principal components, even when no
/// single feature's distribution changes.
/// </summary>
/// <remarks>
/// <para>
/// Fitting: each feature is standardised with the reference mean and population standard deviation (a constant
/// feature keeps scale 1, as scikit-learn's <c>StandardScaler</c>); principal components come from the SVD of the
/// standardised reference, and the smallest number whose cumulative explained-variance share exceeds
/// <see cref="PcaReconstructionOptions.VarianceShare"/> is kept (scikit-learn's <c>PCA(n_components=0.65)</c>). A row's
/// reconstruction error is the Euclidean distance between the standardised row and its projection back from the
/// kept components. The reference is split into <see cref="PcaReconstructionOptions.ReferenceChunks"/> equal chunks;
/// the thresholds are the mean of their mean errors plus and minus
/// <see cref="PcaReconstructionOptions.StandardDeviations"/> population standard deviations (NannyML's
/// <c>StandardDeviationThreshold</c>). A chunk whose mean error is outside the thresholds is drift.
/// </para>
/// <para>Immutable after construction and thread-safe.</para>
/// </remarks>
public sealed class PcaReconstructionDrift
{
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[] _centre;
    private readonly Matrix<double> _components;

    /// <summary>Initializes a new instance of the <see cref="PcaReconstructionDrift"/> class, fitted on the reference rows.</summary>
    /// <param name="reference">The reference rows, one value per feature each.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reference"/> or one of its rows is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Rows have different widths, or there are fewer rows than twice the number of reference chunks.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or an option is out of range; the message says which.</exception>
    public PcaReconstructionDrift(IReadOnlyList<double[]> reference, PcaReconstructionOptions? options = null)
    {
        options ??= new PcaReconstructionOptions();
        if (!(options.VarianceShare > 0 && options.VarianceShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.VarianceShare, "VarianceShare must be in (0, 1].");
        }

        if (options.ReferenceChunks < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReferenceChunks, "ReferenceChunks must be at least 2.");
        }

        if (!(options.StandardDeviations > 0 && double.IsFinite(options.StandardDeviations)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StandardDeviations, "StandardDeviations must be a finite number greater than 0.");
        }

        int width = RowChecks.Width(reference, nameof(reference));
        if (reference.Count < 2 * options.ReferenceChunks)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The reference has {reference.Count} rows; at least {2 * options.ReferenceChunks} are needed for {options.ReferenceChunks} chunks of two rows."),
                nameof(reference));
        }

        FeatureCount = width;
        (_means, _scales) = Standardisation(reference, width);
        Matrix<double> standardised = Matrix<double>.Build.Dense(reference.Count, width, (r, c) => (reference[r][c] - _means[c]) / _scales[c]);
        _centre = [.. standardised.ColumnSums().Select(sum => sum / reference.Count)];
        Matrix<double> centred = Matrix<double>.Build.Dense(reference.Count, width, (r, c) => standardised[r, c] - _centre[c]);
        var svd = centred.Svd(computeVectors: true);
        double[] variances = [.. svd.S.Select(s => s * s)];
        double total = variances.Sum();
        int keep = variances.Length;
        double cumulative = 0;
        for (int i = 0; i < variances.Length && total > 0; i++)
        {
            cumulative += variances[i] / total;
            if (cumulative > options.VarianceShare)
            {
                keep = i + 1;
                break;
            }
        }

        ComponentCount = Math.Min(keep, width);
        _components = svd.VT.SubMatrix(0, ComponentCount, 0, width);

        int chunkSize = reference.Count / options.ReferenceChunks;
        var chunkErrors = new double[options.ReferenceChunks];
        for (int k = 0; k < chunkErrors.Length; k++)
        {
            int start = k * chunkSize;
            int end = k == chunkErrors.Length - 1 ? reference.Count : start + chunkSize;
            double sum = 0;
            for (int r = start; r < end; r++)
            {
                sum += Error(reference[r]);
            }

            chunkErrors[k] = sum / (end - start);
        }

        ReferenceChunkErrors = chunkErrors;
        double mean = chunkErrors.Average();
        double deviation = Math.Sqrt(chunkErrors.Sum(e => (e - mean) * (e - mean)) / chunkErrors.Length);
        LowerThreshold = mean - (options.StandardDeviations * deviation);
        UpperThreshold = mean + (options.StandardDeviations * deviation);
    }

    /// <summary>Gets the number of features (columns).</summary>
    public int FeatureCount { get; }

    /// <summary>Gets the number of principal components kept.</summary>
    public int ComponentCount { get; }

    /// <summary>Gets the mean reconstruction error of each reference chunk.</summary>
    public IReadOnlyList<double> ReferenceChunkErrors { get; }

    /// <summary>Gets the lower threshold on a chunk's mean error.</summary>
    public double LowerThreshold { get; }

    /// <summary>Gets the upper threshold on a chunk's mean error.</summary>
    public double UpperThreshold { get; }

    /// <summary>Gets the reconstruction error of one row.</summary>
    /// <param name="row">One value per feature.</param>
    /// <returns>The Euclidean distance between the standardised row and its reconstruction.</returns>
    /// <exception cref="ArgumentException">The row has the wrong width.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite.</exception>
    public double ReconstructionError(double[] row)
    {
        RowChecks.Width([row], nameof(row), FeatureCount);
        return Error(row);
    }

    /// <summary>Evaluates one chunk of rows.</summary>
    /// <param name="chunk">The rows.</param>
    /// <returns>The chunk's mean error, the thresholds and the verdict.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chunk"/> or one of its rows is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The chunk is empty, or a row has the wrong width.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite.</exception>
    public PcaReconstructionResult Evaluate(IReadOnlyList<double[]> chunk)
    {
        RowChecks.Width(chunk, nameof(chunk), FeatureCount);
        if (chunk.Count == 0)
        {
            throw new ArgumentException("The chunk is empty; a reconstruction error needs at least one row.", nameof(chunk));
        }

        double mean = chunk.Average(Error);
        return new PcaReconstructionResult(mean, LowerThreshold, UpperThreshold, mean < LowerThreshold || mean > UpperThreshold, chunk.Count);
    }

    private static (double[] Means, double[] Scales) Standardisation(IReadOnlyList<double[]> rows, int width)
    {
        var means = new double[width];
        var scales = new double[width];
        for (int c = 0; c < width; c++)
        {
            double mean = 0;
            foreach (double[] row in rows)
            {
                mean += row[c];
            }

            mean /= rows.Count;
            double squares = 0;
            foreach (double[] row in rows)
            {
                squares += (row[c] - mean) * (row[c] - mean);
            }

            double deviation = Math.Sqrt(squares / rows.Count);
            means[c] = mean;
            scales[c] = deviation > 0 ? deviation : 1.0;
        }

        return (means, scales);
    }

    /// <summary>|| z - reconstruct(z) ||₂ with z the standardised row and reconstruct(z) = centre + Wᵀ W (z - centre).</summary>
    private double Error(double[] row)
    {
        var centred = Vector<double>.Build.Dense(FeatureCount, c => ((row[c] - _means[c]) / _scales[c]) - _centre[c]);
        Vector<double> reconstructed = _components.TransposeThisAndMultiply(_components * centred);
        return (centred - reconstructed).L2Norm();
    }
}
