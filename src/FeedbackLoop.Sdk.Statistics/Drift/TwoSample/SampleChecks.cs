using System.Globalization;

namespace FeedbackLoop.Drift;

/// <summary>Argument checks and sample-size rules shared by the two-sample tests.</summary>
internal static class SampleChecks
{
    /// <summary>The smallest sample a test judges: a single value says nothing about a distribution.</summary>
    public const int MinimumSampleSize = 2;

    /// <summary>The largest category code accepted, so a stray value cannot make a test allocate a huge table.</summary>
    public const int MaximumCategoryCode = (1 << 24) - 1;

    public static void RequireFinite(ReadOnlySpan<double> values, string sample)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw Refused(sample, i, values[i], "values must be finite (NaN and infinities are refused)");
            }
        }
    }

    public static void RequireBinary(ReadOnlySpan<double> values, string sample)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != 0.0 && values[i] != 1.0)
            {
                throw Refused(sample, i, values[i], "a binary test takes only 0 and 1");
            }
        }
    }

    public static void RequireCategoryCodes(ReadOnlySpan<double> values, string sample)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double value = values[i];
            if (!(value >= 0 && value <= MaximumCategoryCode) || value != Math.Floor(value))
            {
                throw Refused(
                    sample,
                    i,
                    value,
                    string.Create(CultureInfo.InvariantCulture, $"category codes must be whole numbers from 0 to {MaximumCategoryCode}"));
            }
        }
    }

    /// <summary>The reason a pair of samples is too small to judge, or <see langword="null"/> when both are large enough.</summary>
    public static string? TooSmall(long referenceCount, long currentCount)
    {
        if (referenceCount < MinimumSampleSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the reference sample has {referenceCount} values; at least {MinimumSampleSize} are needed");
        }

        return currentCount < MinimumSampleSize
            ? string.Create(CultureInfo.InvariantCulture, $"the current sample has {currentCount} values; at least {MinimumSampleSize} are needed")
            : null;
    }

    public static void RequireProbability(double threshold, string paramName)
    {
        if (!(threshold > 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(paramName, threshold, "The significance level must be greater than 0 and less than 1.");
        }
    }

    public static void RequirePositiveThreshold(double threshold, string paramName)
    {
        if (!(threshold > 0 && double.IsFinite(threshold)))
        {
            throw new ArgumentOutOfRangeException(paramName, threshold, "The distance threshold must be a finite number greater than 0.");
        }
    }

    private static ArgumentOutOfRangeException Refused(string sample, int index, double value, string rule) =>
        new(sample, value, string.Create(CultureInfo.InvariantCulture, $"The {sample} sample has {value} at index {index}: {rule}."));
}
