namespace FeedbackLoop.Simulation;

/// <summary>One sample drawn from an <see cref="IDriftingStream"/>: its features, its (possibly noisy) label and where it sits in the stream.</summary>
/// <param name="Features">The inputs, laid out by the stream's <see cref="IDriftingStream.Schema"/>.</param>
/// <param name="Label">
/// The label, of the kind the stream's <see cref="IDriftingStream.Task"/> takes (<see cref="LabelKind.Binary"/>,
/// <see cref="LabelKind.Categorical"/> with one of the task's classes, or <see cref="LabelKind.Numeric"/>), after any label
/// noise has been applied.
/// </param>
/// <param name="Index">The 0-based position of the sample in the stream.</param>
/// <param name="Concept">
/// The 0-based position, in the stream's sequence of concepts, of the concept that generated the label: 0 before
/// <c>DriftPoints[0]</c>, 1 from <c>DriftPoints[0]</c> up to <c>DriftPoints[1]</c>, and so on.
/// </param>
/// <remarks>
/// Immutable once returned (do not modify <see cref="Features"/>), so safe to share between threads. Record equality
/// compares <see cref="Features"/> by reference, as <see cref="FeatureVector"/> has no value equality; compare
/// <see cref="FeatureVector.Numeric"/> to compare inputs.
/// </remarks>
public sealed record LabelledSample(FeatureVector Features, Label Label, long Index, int Concept);
