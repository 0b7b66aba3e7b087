namespace FeedbackLoop.Registry;

/// <summary>One move of an alias, as the registry's history keeps it.</summary>
/// <param name="Alias">The alias moved.</param>
/// <param name="FromVersion">The version it pointed to before, or <see langword="null"/> when it was not set.</param>
/// <param name="ToVersion">The version it points to after the move.</param>
/// <param name="At">When it moved.</param>
/// <param name="Actor">Who or what moved it.</param>
/// <param name="Reason">Why.</param>
/// <param name="IsRollback">Whether the move undid an earlier one (<see cref="IModelRegistry.RollbackAsync"/>).</param>
public sealed record AliasMove(string Alias, int? FromVersion, int ToVersion, DateTimeOffset At, string Actor, string Reason, bool IsRollback);
