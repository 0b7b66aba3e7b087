using System.Runtime.CompilerServices;

namespace FeedbackLoop.Drift;

/// <summary>Parameter checks and value refusals shared by the streaming detectors, so all report bad input alike.</summary>
internal static class DetectorArguments
{
    public static int AtLeast(int value, int minimum, string paramName, string what) =>
        value >= minimum ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{what} must be at least {minimum}.");

    /// <summary>Checks a confidence or significance level in the open interval (0, 1).</summary>
    public static double OpenUnit(double value, string paramName, string what) =>
        value > 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{what} must be greater than 0 and less than 1.");

    public static double NonNegative(double value, string paramName, string what) =>
        double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{what} must be a finite number greater than or equal to 0.");

    public static double Positive(double value, string paramName, string what) =>
        double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{what} must be a finite number greater than 0.");

    public static ChangeDirection Direction(ChangeDirection direction, string paramName) =>
        direction is ChangeDirection.Up or ChangeDirection.Down or ChangeDirection.Both
            ? direction
            : throw new ArgumentOutOfRangeException(paramName, direction, "The direction must be Up, Down or Both.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNotFinite(string detector, double value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, $"{detector} takes finite values: the value must not be NaN or infinite.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNotAnErrorIndicator(string detector, double value) =>
        throw new ArgumentOutOfRangeException(
            nameof(value),
            value,
            $"{detector} takes error indicators: the value must be exactly 0 (correct prediction) or 1 (error).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNotInUnitInterval(string detector, double value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, $"{detector} takes values in [0, 1] (for example error indicators); the value is outside.");
}
