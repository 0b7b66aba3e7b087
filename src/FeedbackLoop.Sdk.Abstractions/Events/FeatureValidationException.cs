namespace FeedbackLoop;

/// <summary>A feature value or name does not fit the <see cref="FeatureSchema"/>: unknown name, wrong kind,
/// NaN or infinity where not allowed, or a value left unset.</summary>
public sealed class FeatureValidationException : ArgumentException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="featureName">The offending feature.</param>
    /// <param name="message">What is wrong, naming the feature.</param>
    public FeatureValidationException(string featureName, string message)
        : base(message) => FeatureName = featureName;

    /// <summary>Gets the name of the offending feature.</summary>
    public string FeatureName { get; }
}
