namespace FeedbackLoop.Drift;

/// <summary>Options of <see cref="PcaReconstructionDrift"/>.</summary>
/// <remarks>Read once, by the detector's constructor.</remarks>
public sealed class PcaReconstructionOptions
{
    /// <summary>Gets or sets the share of the reference variance the kept principal components must explain.</summary>
    /// <value>0.65 by default (NannyML's <c>n_components=0.65</c>); in (0, 1].</value>
    public double VarianceShare { get; set; } = 0.65;

    /// <summary>Gets or sets the number of equal chunks the reference is split into to learn the thresholds.</summary>
    /// <value>10 by default (NannyML's default chunker); at least 2.</value>
    public int ReferenceChunks { get; set; } = 10;

    /// <summary>Gets or sets how many standard deviations of the reference chunks' errors the thresholds lie from their mean.</summary>
    /// <value>3 by default (NannyML's <c>StandardDeviationThreshold</c>); a finite positive number.</value>
    public double StandardDeviations { get; set; } = 3;
}
