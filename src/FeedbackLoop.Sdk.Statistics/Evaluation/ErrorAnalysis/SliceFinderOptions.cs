namespace FeedbackLoop.Evaluation.ErrorAnalysis;

/// <summary>Options of <see cref="SliceFinder"/>.</summary>
public sealed class SliceFinderOptions
{
    /// <summary>Gets or sets the number of quantile bins a numeric feature is cut into.</summary>
    /// <value>4 (quartiles) by default; 2 to 100.</value>
    public int NumericBins { get; set; } = 4;

    /// <summary>Gets or sets the smallest effect size a slice must reach to be reported.</summary>
    /// <value>0.4 by default (Chung et al. use 0.4 in their examples; Cohen's "small" to "medium" effect); above 0.</value>
    public double MinimumEffectSize { get; set; } = 0.4;

    /// <summary>Gets or sets the false discovery rate controlled by Benjamini–Hochberg over all slices tested.</summary>
    /// <value>0.05 by default; in (0, 1).</value>
    public double FalseDiscoveryRate { get; set; } = 0.05;

    /// <summary>Gets or sets the fewest examples a slice may have to be tested.</summary>
    /// <value>30 by default; at least 2.</value>
    public int MinimumSliceSize { get; set; } = 30;

    /// <summary>Gets or sets the most slices returned.</summary>
    /// <value>20 by default; at least 1.</value>
    public int MaximumSlices { get; set; } = 20;

    internal void Validate()
    {
        if (NumericBins is < 2 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(NumericBins), NumericBins, "The number of numeric bins must be between 2 and 100.");
        }

        if (!(MinimumEffectSize > 0) || double.IsInfinity(MinimumEffectSize))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumEffectSize), MinimumEffectSize, "The minimum effect size must be a finite number above 0.");
        }

        if (!(FalseDiscoveryRate > 0 && FalseDiscoveryRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(FalseDiscoveryRate), FalseDiscoveryRate, "The false discovery rate must be greater than 0 and less than 1.");
        }

        if (MinimumSliceSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumSliceSize), MinimumSliceSize, "The minimum slice size must be at least 2.");
        }

        if (MaximumSlices < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumSlices), MaximumSlices, "At least one slice must be returned.");
        }
    }
}
