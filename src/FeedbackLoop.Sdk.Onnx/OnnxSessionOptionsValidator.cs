using System.Globalization;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Onnx;

/// <summary>Validates <see cref="OnnxSessionOptions"/>, reporting every problem in one result.</summary>
public sealed class OnnxSessionOptionsValidator : IValidateOptions<OnnxSessionOptions>
{
    /// <summary>The most threads either pool may be given.</summary>
    private const int MaxThreads = 1_024;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OnnxSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options, string.Empty).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> Failures(OnnxSessionOptions options, string prefix)
    {
        if (options.IntraOpThreads is < 0 or > MaxThreads)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{prefix}IntraOpThreads must be 0 (one per core) to {MaxThreads} (was {options.IntraOpThreads}).");
        }

        if (options.InterOpThreads is < 0 or > MaxThreads)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{prefix}InterOpThreads must be 0 (ONNX Runtime chooses) to {MaxThreads} (was {options.InterOpThreads}).");
        }

        if (!Enum.IsDefined(options.GraphOptimizationLevel))
        {
            yield return $"{prefix}GraphOptimizationLevel is not a level ONNX Runtime defines (was {options.GraphOptimizationLevel}).";
        }
    }

    internal static void ThrowIfInvalid(OnnxSessionOptions options)
    {
        var failures = Failures(options, string.Empty).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(OnnxSessionOptions), failures);
        }
    }
}
