namespace FeedbackLoop.Coordination;

/// <summary>A cycle's lead was lost before it finished (the connection holding it dropped); the cycle registers and promotes nothing.</summary>
public sealed class LeadershipLostException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public LeadershipLostException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was lost and why.</param>
    public LeadershipLostException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the failure that lost the lead.</summary>
    /// <param name="message">What was lost and why.</param>
    /// <param name="innerException">The failure.</param>
    public LeadershipLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
