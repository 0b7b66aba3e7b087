namespace FeedbackLoop.Drift;

/// <summary>The values a built-in two-sample test accepts, so a feature's values can be encoded for it.</summary>
internal enum SampleDomain
{
    /// <summary>Any finite numbers.</summary>
    Values,

    /// <summary>Category codes: whole numbers from 0.</summary>
    CategoryCodes,

    /// <summary>Only 0 and 1.</summary>
    Binary,
}
