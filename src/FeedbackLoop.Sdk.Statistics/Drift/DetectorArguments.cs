using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>Gets the length of the leading run of finite values: the position of the first NaN or infinity, or the length.</summary>
    public static int FiniteLength(ReadOnlySpan<double> values)
    {
        // A double is NaN or infinite exactly when all its exponent bits are set (IEEE 754-2008, section 3.4).
        const long ExponentBits = 0x7FF0_0000_0000_0000;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var exponent = Vector256.Create(ExponentBits);
            ref double first = ref MemoryMarshal.GetReference(values);
            for (; i <= values.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                Vector256<long> bits = Vector256.LoadUnsafe(ref first, (nuint)i).AsInt64();
                if (Vector256.EqualsAny(bits & exponent, exponent))
                {
                    break;
                }
            }
        }

        while (i < values.Length && double.IsFinite(values[i]))
        {
            i++;
        }

        return i;
    }

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
