namespace FeedbackLoop.Evaluation.Estimation;

/// <summary>
/// Isotonic regression of labels on scores, a monotone calibration map (Zadrozny and Elkan 2002, "Transforming
/// classifier scores into accurate multiclass probability estimates", KDD), as scikit-learn 1.2's
/// <c>IsotonicRegression(out_of_bounds="clip")</c>: zero-weight examples dropped, tied scores pooled into their weighted
/// mean label, the pool-adjacent-violators algorithm (Ayer et al. 1955) for the fit, linear interpolation between the
/// fitted points and the end values beyond them.
/// </summary>
public sealed class IsotonicCalibrator
{
    private readonly double[] _x;
    private readonly double[] _y;

    private IsotonicCalibrator(double[] x, double[] y)
    {
        _x = x;
        _y = y;
    }

    /// <summary>Fits the map.</summary>
    /// <param name="actual">The labels.</param>
    /// <param name="scores">The scores, finite.</param>
    /// <param name="sampleWeights">One weight per example, or empty for unweighted.</param>
    /// <returns>The fitted calibrator.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or the weights are all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite, or a weight is negative or not finite.</exception>
    public static IsotonicCalibrator Fit(ReadOnlySpan<bool> actual, ReadOnlySpan<double> scores, ReadOnlySpan<double> sampleWeights = default)
    {
        MetricArguments.RequireBatch(actual.Length, scores.Length, nameof(scores), sampleWeights.Length);
        var points = new List<(double Score, double Label, double Weight)>(actual.Length);
        double total = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            MetricArguments.RequireFinite(scores[i], i, nameof(scores));
            double w = sampleWeights.IsEmpty ? 1.0 : MetricArguments.Weight(sampleWeights, i, nameof(sampleWeights));
            total += w;
            if (w > 0)
            {
                points.Add((scores[i], actual[i] ? 1.0 : 0.0, w));
            }
        }

        MetricArguments.RequireUsableTotalWeight(total, nameof(sampleWeights));
        points.Sort((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Label.CompareTo(b.Label));

        // Blocks of the pool-adjacent-violators algorithm, one per distinct score to begin with.
        var x = new List<double>();
        var sums = new List<double>();
        var weights = new List<double>();
        var starts = new List<int>();
        foreach ((double score, double label, double w) in points)
        {
            if (x.Count > 0 && x[^1] == score)
            {
                sums[^1] += w * label;
                weights[^1] += w;
                continue;
            }

            x.Add(score);
            sums.Add(w * label);
            weights.Add(w);
        }

        // Pool while a block's mean is above the next one's.
        var blockSums = new List<double>();
        var blockWeights = new List<double>();
        for (int i = 0; i < x.Count; i++)
        {
            blockSums.Add(sums[i]);
            blockWeights.Add(weights[i]);
            starts.Add(i);
            while (blockSums.Count > 1 && blockSums[^2] / blockWeights[^2] >= blockSums[^1] / blockWeights[^1])
            {
                blockSums[^2] += blockSums[^1];
                blockWeights[^2] += blockWeights[^1];
                blockSums.RemoveAt(blockSums.Count - 1);
                blockWeights.RemoveAt(blockWeights.Count - 1);
                starts.RemoveAt(starts.Count - 1);
            }
        }

        double[] y = new double[x.Count];
        for (int b = 0; b < starts.Count; b++)
        {
            int end = b + 1 < starts.Count ? starts[b + 1] : x.Count;
            Array.Fill(y, blockSums[b] / blockWeights[b], starts[b], end - starts[b]);
        }

        return new IsotonicCalibrator([.. x], y);
    }

    /// <summary>Maps a score to its calibrated probability.</summary>
    /// <param name="score">The score; NaN and infinities are refused.</param>
    /// <returns>The probability, in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is NaN or infinite.</exception>
    public double Calibrate(double score)
    {
        if (!double.IsFinite(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "The score must be finite.");
        }

        if (score <= _x[0])
        {
            return _y[0];
        }

        if (score >= _x[^1])
        {
            return _y[^1];
        }

        int above = Array.BinarySearch(_x, score);
        if (above >= 0)
        {
            return _y[above];
        }

        above = ~above;
        int below = above - 1;
        return _y[below] + ((_y[above] - _y[below]) * ((score - _x[below]) / (_x[above] - _x[below])));
    }
}
