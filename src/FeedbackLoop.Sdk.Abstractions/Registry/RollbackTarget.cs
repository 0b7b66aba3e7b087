namespace FeedbackLoop.Registry;

/// <summary>Reads, from an alias's history, the version a rollback returns to: the rule every registry shares.</summary>
public static class RollbackTarget
{
    /// <summary>
    /// Replays the history: a move that replaced a version remembers it, a rollback forgets the latest remembered one.
    /// The version a rollback returns to is the latest remembered one still standing.
    /// </summary>
    /// <param name="history">The alias's moves, oldest first.</param>
    /// <returns>The version a rollback returns to, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is <see langword="null"/>.</exception>
    public static int? Find(IEnumerable<AliasMove> history) => Standing(history) is [var latest, ..] ? latest : null;

    /// <summary>
    /// Gets every version still standing in the history, latest first: the one a rollback returns to, then the one a
    /// second rollback would, and so on (a version a rollback moved away from is not among them).
    /// </summary>
    /// <param name="history">The alias's moves, oldest first.</param>
    /// <returns>The versions, latest first; empty when a rollback has nowhere to go.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<int> Standing(IEnumerable<AliasMove> history)
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

        return [.. replaced];
    }
}
