namespace FeedbackLoop.Registry;

/// <summary>The aliases the loop moves between versions.</summary>
public static class ModelAliases
{
    /// <summary>The version serving live traffic.</summary>
    public const string Champion = "champion";

    /// <summary>The latest candidate trained by the loop (promoted or not).</summary>
    public const string Challenger = "challenger";
}
