using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace FeedbackLoop.Evaluation;

/// <summary>Argument checks shared by the evaluation metrics.</summary>
/// <remarks>
/// The throw paths live in separate non-inlined methods so that the per-element checks in the metric
/// loops stay a compare and a branch. Stateless and thread-safe.
/// </remarks>
internal static class MetricArguments
{
    /// <summary>The checks every batch metric starts with: the paired span has the labels' length, the weights are empty or of that length, and there is at least one example.</summary>
    public static void RequireBatch(int actualLength, int pairedLength, string pairedName, int weightsLength)
    {
        RequireSameLength(actualLength, "actual", pairedLength, pairedName);
        RequireEmptyOrSameLength(actualLength, "actual", weightsLength, "sampleWeights");
        RequireNotEmpty(actualLength, "actual");
    }

    public static void RequireSameLength(int firstLength, string firstName, int secondLength, string secondName)
    {
        if (secondLength != firstLength)
        {
            ThrowLengthMismatch(firstName, firstLength, secondName, secondLength);
        }
    }

    /// <summary>Checks an optional span (weights, or a span a metric does not read): empty, or as long as the first.</summary>
    public static void RequireEmptyOrSameLength(int firstLength, string firstName, int secondLength, string secondName)
    {
        if (secondLength != 0 && secondLength != firstLength)
        {
            ThrowLengthMismatch(firstName, firstLength, secondName, secondLength);
        }
    }

    /// <summary>Checks that a span has at least one element.</summary>
    public static void RequireNotEmpty(int length, string paramName)
    {
        if (length == 0)
        {
            throw new ArgumentException($"{paramName} is empty; a metric needs at least one example.", paramName);
        }
    }

    /// <summary>Returns <c>weights[index]</c> after checking that it is finite and non-negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Weight(ReadOnlySpan<double> weights, int index, string paramName)
    {
        double w = weights[index];
        if (!(w >= 0.0) || double.IsPositiveInfinity(w))
        {
            ThrowBadWeight(paramName, index, w);
        }

        return w;
    }

    /// <summary>Checks the weight of one example given to an accumulator: finite and non-negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireWeight(double weight)
    {
        if (!(weight >= 0.0) || double.IsPositiveInfinity(weight))
        {
            ThrowBadSingleValue(nameof(weight), weight, "The weight must be finite and non-negative.");
        }
    }

    /// <summary>Checks the probability of one example given to an accumulator: in [0, 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireProbability(double probability)
    {
        if (!(probability >= 0.0 && probability <= 1.0))
        {
            ThrowBadSingleValue(nameof(probability), probability, "The probability must be in [0, 1].");
        }
    }

    /// <summary>Checks that a score is finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireFinite(double value, int index, string paramName)
    {
        if (!double.IsFinite(value))
        {
            ThrowNotFinite(paramName, index, value);
        }
    }

    /// <summary>Checks that a probability is finite and in [0, 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireProbability(double value, int index, string paramName)
    {
        if (!(value >= 0.0 && value <= 1.0))
        {
            ThrowBadProbability(paramName, index, value);
        }
    }

    /// <summary>Checks the total of the sample weights: positive (not all zero) and finite (no overflow).</summary>
    public static void RequireUsableTotalWeight(double total, string paramName)
    {
        if (total == 0.0)
        {
            throw new ArgumentException(
                "All sample weights are zero; a weighted metric needs at least one example with a positive weight.",
                paramName);
        }

        if (!double.IsFinite(total))
        {
            throw new ArgumentException(
                "The sum of the sample weights overflows a double; scale the weights down.", paramName);
        }
    }

    /// <summary>Checks that a weighted sum of per-example losses did not overflow.</summary>
    public static void RequireFiniteWeightedSum(double sum, string paramName)
    {
        if (!double.IsFinite(sum))
        {
            throw new ArgumentException(
                "The weighted sum of the per-example losses overflows a double; scale the weights down.",
                paramName);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(string firstName, int firstLength, string secondName, int secondLength) =>
        throw new ArgumentException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{firstName} has {firstLength} elements but {secondName} has {secondLength}; the spans must have the same length."),
            secondName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadWeight(string paramName, int index, double value) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{paramName}[{index}] is {value}; sample weights must be finite and non-negative."));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(string paramName, int index, double value) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{paramName}[{index}] is {value}; {paramName} must be finite."));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadProbability(string paramName, int index, double value)
    {
        string requirement = double.IsFinite(value) ? "lie in [0, 1]" : "be finite and lie in [0, 1]";
        throw new ArgumentOutOfRangeException(
            paramName,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{paramName}[{index}] is {value}; probabilities must {requirement}."));
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadSingleValue(string paramName, double value, string message) =>
        throw new ArgumentOutOfRangeException(paramName, value, message);
}
