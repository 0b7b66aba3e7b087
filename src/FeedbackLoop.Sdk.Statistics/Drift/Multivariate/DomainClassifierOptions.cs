namespace FeedbackLoop.Drift;

/// <summary>Options of <see cref="DomainClassifierDrift"/>.</summary>
/// <remarks>Read once, by the detector's constructor.</remarks>
public sealed class DomainClassifierOptions
{
    /// <summary>Gets or sets the number of stratified cross-validation folds.</summary>
    /// <value>5 by default (NannyML's <c>cv_folds_num</c>); at least 2.</value>
    public int Folds { get; set; } = 5;

    /// <summary>Gets or sets the lowest cross-validated AUC that is not drift.</summary>
    /// <value>0.45 by default (NannyML's <c>ConstantThreshold(lower=0.45)</c>); in [0, 0.5].</value>
    public double LowerAuc { get; set; } = 0.45;

    /// <summary>Gets or sets the highest cross-validated AUC that is not drift.</summary>
    /// <value>0.65 by default (NannyML's <c>ConstantThreshold(upper=0.65)</c>); in [0.5, 1].</value>
    public double UpperAuc { get; set; } = 0.65;

    /// <summary>Gets or sets the seed of the fold assignment.</summary>
    /// <value>0 by default.</value>
    public int Seed { get; set; }
}
