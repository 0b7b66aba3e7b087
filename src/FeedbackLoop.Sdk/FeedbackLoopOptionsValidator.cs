using Microsoft.Extensions.Options;

namespace FeedbackLoop;

/// <summary>Validates <see cref="FeedbackLoopOptions"/>, reporting every problem in one result.</summary>
public sealed class FeedbackLoopOptionsValidator : IValidateOptions<FeedbackLoopOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FeedbackLoopOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> Failures(FeedbackLoopOptions options)
    {
        if (options.TrainingWindowSize < 2)
        {
            yield return $"TrainingWindowSize must be at least 2 (was {options.TrainingWindowSize}).";
        }

        if (options.MinimumTrainingExamples < 2)
        {
            yield return $"MinimumTrainingExamples must be at least 2 (was {options.MinimumTrainingExamples}).";
        }
        else if (options.MinimumTrainingExamples > options.TrainingWindowSize)
        {
            yield return $"MinimumTrainingExamples ({options.MinimumTrainingExamples}) cannot exceed TrainingWindowSize ({options.TrainingWindowSize}).";
        }

        if (!(options.HoldoutFraction > 0.0 && options.HoldoutFraction < 1.0))
        {
            yield return $"HoldoutFraction must lie in (0, 1) (was {options.HoldoutFraction}).";
        }

        if (options.RollingWindowSize < 1)
        {
            yield return $"RollingWindowSize must be at least 1 (was {options.RollingWindowSize}).";
        }

        if (options.Store.PredictionCapacity < 1)
        {
            yield return $"Store.PredictionCapacity must be at least 1 (was {options.Store.PredictionCapacity}).";
        }
        else if (options.Store.PredictionCapacity < options.TrainingWindowSize)
        {
            yield return $"Store.PredictionCapacity ({options.Store.PredictionCapacity}) must be at least TrainingWindowSize ({options.TrainingWindowSize}).";
        }

        if (options.Store.OrphanCapacity < 1)
        {
            yield return $"Store.OrphanCapacity must be at least 1 (was {options.Store.OrphanCapacity}).";
        }

        if (options.Store.OrphanTimeToLive <= TimeSpan.Zero)
        {
            yield return $"Store.OrphanTimeToLive must be positive (was {options.Store.OrphanTimeToLive}).";
        }
    }
}
