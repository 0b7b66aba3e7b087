namespace FeedbackLoop.State;

/// <summary>A loop's saved state and its revision.</summary>
/// <param name="State">The state.</param>
/// <param name="Revision">The revision, 1 for the first save and one more for each later save.</param>
public sealed record SavedLoopState(StateSnapshot State, long Revision);
