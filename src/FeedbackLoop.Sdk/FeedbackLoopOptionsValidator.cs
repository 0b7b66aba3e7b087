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

    private const int MaxRollingWindowSize = 1_000_000;
    private const int MaxQueueCapacity = 1 << 24;
    private static readonly TimeSpan MaxOrphanTimeToLive = TimeSpan.FromDays(365);
    private static readonly TimeSpan MaxShutdownTimeout = TimeSpan.FromMinutes(10);

    internal static IEnumerable<string> Failures(FeedbackLoopOptions options)
    {
        if (options.TrainingWindowSize < 2)
        {
            yield return $"TrainingWindowSize must be at least 2 (was {options.TrainingWindowSize}).";
        }

        if (options.StableTrainingWindowSize < 1)
        {
            yield return $"StableTrainingWindowSize must be at least 1 (was {options.StableTrainingWindowSize}).";
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

        if (options.RollingWindowSize is < 1 or > MaxRollingWindowSize)
        {
            yield return $"RollingWindowSize must lie in [1, {MaxRollingWindowSize}] (was {options.RollingWindowSize}).";
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

        if (options.Store.OrphanTimeToLive <= TimeSpan.Zero || options.Store.OrphanTimeToLive > MaxOrphanTimeToLive)
        {
            yield return $"Store.OrphanTimeToLive must be positive and at most {MaxOrphanTimeToLive.TotalDays} days (was {options.Store.OrphanTimeToLive}).";
        }

        if (options.Store.MaxFeedbackPerPrediction < 1)
        {
            yield return $"Store.MaxFeedbackPerPrediction must be at least 1 (was {options.Store.MaxFeedbackPerPrediction}).";
        }

        if (options.Events.Capacity is < 2 or > MaxQueueCapacity)
        {
            yield return $"Events.Capacity must lie in [2, {MaxQueueCapacity}] (was {options.Events.Capacity}).";
        }

        if (options.Events.MaxBatchSize < 1)
        {
            yield return $"Events.MaxBatchSize must be at least 1 (was {options.Events.MaxBatchSize}).";
        }

        if (options.Events.PerCallTimeout <= TimeSpan.Zero)
        {
            yield return $"Events.PerCallTimeout {options.Events.PerCallTimeout} must be positive.";
        }

        if (!Enum.IsDefined(options.Events.Durability))
        {
            yield return $"Events.Durability {options.Events.Durability} is not a defined durability.";
        }

        if (!Enum.IsDefined(options.Events.FullMode))
        {
            yield return $"Events.FullMode {options.Events.FullMode} is not a defined mode.";
        }

        if (options.Events.ShutdownTimeout < TimeSpan.Zero || options.Events.ShutdownTimeout > MaxShutdownTimeout)
        {
            yield return $"Events.ShutdownTimeout must lie in [0, {MaxShutdownTimeout.TotalMinutes} minutes] (was {options.Events.ShutdownTimeout}).";
        }

        if (options.Limits.MaxStringLength < 1)
        {
            yield return $"Limits.MaxStringLength must be at least 1 (was {options.Limits.MaxStringLength}).";
        }

        if (options.Limits.MaxSegments < 0)
        {
            yield return $"Limits.MaxSegments cannot be negative (was {options.Limits.MaxSegments}).";
        }
    }
}
