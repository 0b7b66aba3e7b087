namespace FeedbackLoop.Rollout;

/// <summary>
/// The models a loop has loaded to serve: the champion, and the other versions a router may send traffic to (a
/// challenger under A/B, a canary). The loop swaps the whole set atomically on every promotion or rollback.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ServingSet
{
    /// <summary>Initializes a serving set.</summary>
    /// <param name="champion">The champion, or <see langword="null"/> before the first promotion.</param>
    /// <param name="others">Other loaded versions; none by default.</param>
    public ServingSet(ServingModel? champion, IReadOnlyList<ServingModel>? others = null)
    {
        Champion = champion;
        Others = others ?? [];
    }

    /// <summary>Gets the empty set (no model loaded yet).</summary>
    public static ServingSet Empty { get; } = new(null);

    /// <summary>Gets the champion, or <see langword="null"/> before the first promotion.</summary>
    public ServingModel? Champion { get; }

    /// <summary>Gets the other loaded versions.</summary>
    public IReadOnlyList<ServingModel> Others { get; }

    /// <summary>Finds a loaded version by its <see cref="ServingModel.VersionText"/>.</summary>
    /// <param name="versionText">The version as a prediction records it.</param>
    /// <returns>The model, or <see langword="null"/> when the set does not hold it.</returns>
    public ServingModel? Find(string versionText)
    {
        if (Champion is { } champion && string.Equals(champion.VersionText, versionText, StringComparison.Ordinal))
        {
            return champion;
        }

        foreach (var other in Others)
        {
            if (string.Equals(other.VersionText, versionText, StringComparison.Ordinal))
            {
                return other;
            }
        }

        return null;
    }
}
