namespace FeedbackLoop.Drift;

/// <summary>Options of <see cref="FalseAlarmCalibration.Calibrate"/>.</summary>
/// <remarks>Read once per call.</remarks>
public sealed class FalseAlarmCalibrationOptions
{
    /// <summary>Gets or sets the wanted mean number of values between false alarms (the in-control average run length, ARL₀).</summary>
    /// <value>10,000 by default; at least 10.</value>
    public double TargetRunLength { get; set; } = 10_000;

    /// <summary>Gets or sets the number of simulated streams per candidate parameter.</summary>
    /// <value>200 by default; at least 10. The standard error of the estimated run length shrinks with its square root.</value>
    public int Runs { get; set; } = 200;

    /// <summary>Gets or sets the seed of the bootstrap, so a calibration can be repeated exactly.</summary>
    /// <value>0 by default.</value>
    public int Seed { get; set; }

    /// <summary>Gets or sets the smallest parameter value searched.</summary>
    /// <value>Required: the default, NaN, is refused.</value>
    public double Minimum { get; set; } = double.NaN;

    /// <summary>Gets or sets the largest parameter value searched.</summary>
    /// <value>Required: the default, NaN, is refused.</value>
    public double Maximum { get; set; } = double.NaN;

    /// <summary>
    /// Gets or sets a value indicating whether a larger parameter value means fewer false alarms (true for a
    /// threshold such as Page-Hinkley's λ, false for a confidence such as ADWIN's δ).
    /// </summary>
    /// <value><see langword="true"/> by default.</value>
    public bool LargerIsStricter { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the search bisects the logarithm of the parameter (for parameters spanning orders of magnitude, such as δ).</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool LogScale { get; set; }

    /// <summary>Gets or sets the number of bisection steps.</summary>
    /// <value>20 by default; between 1 and 60.</value>
    public int Iterations { get; set; } = 20;
}
