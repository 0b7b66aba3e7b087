using System.Text.RegularExpressions;

namespace FeedbackLoop.Registry;

/// <summary>The rule for model (and loop) names that every registry and loop applies, so a name a builder accepts is one a registry stores.</summary>
public static partial class ModelNames
{
    /// <summary>Gets the longest name, in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>Checks a model name: 1 to 128 letters, digits, '-', '_' or '.', not starting with '.'.</summary>
    /// <param name="name">The name.</param>
    /// <param name="parameterName">The name of the caller's parameter, for the exception.</param>
    /// <exception cref="ArgumentException">The name breaks the rule; the message says how.</exception>
    public static void Validate(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        if (!Pattern().IsMatch(name))
        {
            var shown = name.Length > 40 ? string.Concat(name.AsSpan(0, 40), "…") : name;
            throw new ArgumentException(
                $"Model name '{shown}' ({name.Length} characters) is invalid: use 1 to {MaxLength} letters, digits, '-', '_' or '.', not starting with '.'.",
                parameterName);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
