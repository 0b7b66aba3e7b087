namespace FeedbackLoop;

/// <summary>A label or feedback value has the wrong type for the loop or the feedback kind.</summary>
public sealed class InvalidLabelException : ArgumentException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="expected">The kind the loop expects.</param>
    /// <param name="actual">The kind it was given.</param>
    /// <param name="message">What is wrong.</param>
    public InvalidLabelException(LabelKind expected, LabelKind actual, string message)
        : base(message)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Gets the kind the loop expects.</summary>
    public LabelKind Expected { get; }

    /// <summary>Gets the kind that was given.</summary>
    public LabelKind Actual { get; }
}
