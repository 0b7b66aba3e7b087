namespace FeedbackLoop.Evaluation.Estimation;

/// <summary>Options of <see cref="ConfidenceBasedPerformanceEstimator"/>.</summary>
public sealed class CbpeOptions
{
    /// <summary>Gets or sets the score at or above which the model predicts the positive class.</summary>
    /// <value>0.5 by default; in [0, 1].</value>
    public double Threshold { get; set; } = 0.5;

    /// <summary>Gets or sets the number of label draws the sampling error is measured on.</summary>
    /// <value>200 by default; 10 to 100,000.</value>
    public int Simulations { get; set; } = 200;

    /// <summary>Gets or sets how many sampling errors the band spans on each side of the estimate.</summary>
    /// <value>3 by default (NannyML draws its sampling-error band at ±3 σ); above 0.</value>
    public double BandWidth { get; set; } = 3;

    /// <summary>Gets or sets the number of folds of the cross-validation that decides whether to calibrate.</summary>
    /// <value>5 by default; 2 to 20.</value>
    public int CalibrationFolds { get; set; } = 5;

    /// <summary>Gets or sets the number of equal-width bins of the calibration error compared.</summary>
    /// <value>10 by default (NannyML's <c>bin_count</c>); 2 to 100.</value>
    public int CalibrationBins { get; set; } = 10;

    /// <summary>Gets or sets the seed of the folds and of the label draws.</summary>
    /// <value>0 by default.</value>
    public ulong Seed { get; set; }

    internal void Validate()
    {
        if (!(Threshold >= 0 && Threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "The threshold must be in [0, 1].");
        }

        if (Simulations is < 10 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Simulations), Simulations, "The number of simulations must be between 10 and 100,000.");
        }

        if (!(BandWidth > 0) || double.IsInfinity(BandWidth))
        {
            throw new ArgumentOutOfRangeException(nameof(BandWidth), BandWidth, "The band width must be a finite number above 0.");
        }

        if (CalibrationFolds is < 2 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(CalibrationFolds), CalibrationFolds, "The number of folds must be between 2 and 20.");
        }

        if (CalibrationBins is < 2 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(CalibrationBins), CalibrationBins, "The number of calibration bins must be between 2 and 100.");
        }
    }
}
