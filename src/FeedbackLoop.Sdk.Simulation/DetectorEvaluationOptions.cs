namespace FeedbackLoop.Simulation;

/// <summary>Options of <see cref="DetectorEvaluation.Run"/>.</summary>
/// <remarks>Read once per run.</remarks>
public sealed class DetectorEvaluationOptions
{
    /// <summary>Gets or sets the number of seeded streams per scenario.</summary>
    /// <value>50 by default; at least 1.</value>
    public int Runs { get; set; } = 50;

    /// <summary>Gets or sets the seed of the first stream; stream <c>i</c> uses <c>Seed + i</c>.</summary>
    /// <value>1 by default.</value>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets the length of every stream.</summary>
    /// <value>20,000 by default; greater than <see cref="DriftPosition"/> + <see cref="DetectionHorizon"/>.</value>
    public int StreamLength { get; set; } = 20_000;

    /// <summary>Gets or sets the index of the abrupt drift, and the centre of the gradual one.</summary>
    /// <value>10,000 by default.</value>
    public int DriftPosition { get; set; } = 10_000;

    /// <summary>Gets or sets the width of the gradual drift, in values (MOA's <c>ConceptDriftStream</c> width).</summary>
    /// <value>2,000 by default; at least 1 and at most twice <see cref="DriftPosition"/>.</value>
    public int GradualWidth { get; set; } = 2_000;

    /// <summary>Gets or sets how long after the start of a change a first alarm still counts as its detection.</summary>
    /// <value>5,000 by default; at least 1.</value>
    public int DetectionHorizon { get; set; } = 5_000;
}
