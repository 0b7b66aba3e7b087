namespace FeedbackLoop.Evaluation.Groups;

/// <summary>Options of <see cref="GroupedEvaluation"/>.</summary>
public sealed class GroupedEvaluationOptions
{
    /// <summary>Gets or sets the number of examples below which a group is reported as too small rather than judged.</summary>
    /// <value>30 by default; at least 1.</value>
    public int MinimumGroupSize { get; set; } = 30;

    /// <summary>Gets or sets the number of bootstrap resamples for the intervals; 0 turns the intervals off.</summary>
    /// <value>1,000 by default; 0 to 100,000.</value>
    public int Resamples { get; set; } = 1_000;

    /// <summary>Gets or sets the coverage of the percentile intervals.</summary>
    /// <value>0.95 by default; in (0, 1).</value>
    public double ConfidenceLevel { get; set; } = 0.95;

    /// <summary>Gets or sets the seed of the resampling, so that a report can be reproduced.</summary>
    /// <value>0 by default.</value>
    public ulong Seed { get; set; }

    internal void Validate()
    {
        if (MinimumGroupSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumGroupSize), MinimumGroupSize, "The minimum group size must be at least 1.");
        }

        if (Resamples is < 0 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Resamples), Resamples, "The number of resamples must be between 0 and 100,000.");
        }

        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, "The confidence level must be greater than 0 and less than 1.");
        }
    }
}
