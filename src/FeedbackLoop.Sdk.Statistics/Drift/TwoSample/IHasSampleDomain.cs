namespace FeedbackLoop.Drift;

/// <summary>Implemented by the built-in tests to say which values they accept; a host's own test is taken to accept any finite number.</summary>
internal interface IHasSampleDomain
{
    SampleDomain Domain { get; }
}
