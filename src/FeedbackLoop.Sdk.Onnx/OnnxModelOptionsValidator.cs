using System.Globalization;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Onnx;

/// <summary>
/// Validates <see cref="OnnxModelOptions"/> on their own, reporting every problem in one result; how they fit a schema,
/// a task and a model is checked when the model is loaded (<see cref="OnnxModel.FromBytes"/>).
/// </summary>
public sealed class OnnxModelOptionsValidator : IValidateOptions<OnnxModelOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OnnxModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> Failures(OnnxModelOptions options)
    {
        if (!Enum.IsDefined(options.InputLayout))
        {
            yield return $"InputLayout is not a layout (was {options.InputLayout}).";
        }

        if (options.VectorInputName is { } vector && string.IsNullOrWhiteSpace(vector))
        {
            yield return "VectorInputName must be null (the model's only input) or a name, not empty.";
        }

        if (options.VectorInputName is not null && options.InputLayout == OnnxInputLayout.PerFeature)
        {
            yield return "VectorInputName is set, but InputLayout is PerFeature.";
        }

        if (options.InputNames.Count > 0 && options.InputLayout == OnnxInputLayout.Vector)
        {
            yield return "InputNames are set, but InputLayout is Vector (one input for all features).";
        }

        foreach (var (feature, input) in options.InputNames)
        {
            if (string.IsNullOrWhiteSpace(input))
            {
                yield return $"InputNames['{feature}'] must name an input of the model, not be empty.";
            }
        }

        foreach (var input in options.InputNames.Values.Where(i => !string.IsNullOrWhiteSpace(i)).GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"InputNames map {input.Count()} features to the input '{input.Key}'; each input takes one feature.";
        }

        if (options.OutputName is { } output && string.IsNullOrWhiteSpace(output))
        {
            yield return "OutputName must be null (the default output) or a name, not empty.";
        }

        if (options.ModelClasses is { } classes)
        {
            if (classes.Any(string.IsNullOrEmpty))
            {
                yield return "ModelClasses contains a null or empty class.";
            }

            foreach (var twice in classes.Where(c => !string.IsNullOrEmpty(c)).GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                yield return $"ModelClasses names the class '{twice.Key}' {twice.Count()} times.";
            }
        }

        if (options.PositiveClassColumn is not (0 or 1))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PositiveClassColumn must be 0 or 1 (was {options.PositiveClassColumn}).");
        }

        foreach (var failure in OnnxSessionOptionsValidator.Failures(options.Session, "Session."))
        {
            yield return failure;
        }
    }

    internal static void ThrowIfInvalid(OnnxModelOptions options)
    {
        var failures = Failures(options).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(OnnxModelOptions), failures);
        }
    }
}
