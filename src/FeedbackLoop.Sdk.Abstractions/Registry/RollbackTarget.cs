namespace FeedbackLoop.Registry;

/// <summary>Reads, from an alias's history, the version a rollback returns to: the rule every registry shares.</summary>
public static class RollbackTarget
{
    /// <summary>
    /// Replays the history: a move that replaced a version remembers it, a rollback forgets the latest remembered one.
    /// The version a rollback returns to is the latest remembered one still standing.
    /// </summary>
    /// <param name="history">The alias's moves, oldest first.</param>
    /// <returns>The version to return to, or <see langword="null"/> when there is none.</returns>
    public static int? Find(IEnumerable<AliasMove> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var replaced = new Stack<int>();
        foreach (var move in history)
        {
            if (move.IsRollback)
            {
                replaced.TryPop(out _);
            }
            else if (move.FromVersion is { } from && from != move.ToVersion)
            {
                replaced.Push(from);
            }
        }

        return replaced.TryPeek(out var target) ? target : null;
    }
}
