namespace FeedbackLoop.Drift;

/// <summary>The result of comparing a current sample with a reference sample.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record TwoSampleResult
{
    /// <summary>Initializes a new instance of the <see cref="TwoSampleResult"/> class.</summary>
    /// <param name="method">The name of the test or distance, for example <c>ks</c>.</param>
    /// <param name="statistic">The statistic or distance; NaN for <see cref="TwoSampleOutcome.InsufficientData"/>.</param>
    /// <param name="pValue">The p-value, or <see langword="null"/> for a distance that has none.</param>
    /// <param name="threshold">The threshold the verdict was taken against.</param>
    /// <param name="decision">How <paramref name="threshold"/> is compared.</param>
    /// <param name="outcome">The verdict.</param>
    /// <param name="referenceCount">The number of values in the reference sample.</param>
    /// <param name="currentCount">The number of values in the current sample.</param>
    /// <param name="reason">Why the verdict is <see cref="TwoSampleOutcome.InsufficientData"/>; otherwise <see langword="null"/>.</param>
    public TwoSampleResult(
        string method,
        double statistic,
        double? pValue,
        double threshold,
        TwoSampleDecision decision,
        TwoSampleOutcome outcome,
        long referenceCount,
        long currentCount,
        string? reason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        Method = method;
        Statistic = statistic;
        PValue = pValue;
        Threshold = threshold;
        Decision = decision;
        Outcome = outcome;
        ReferenceCount = referenceCount;
        CurrentCount = currentCount;
        Reason = reason;
    }

    /// <summary>Gets the name of the test or distance, for example <c>ks</c> or <c>psi</c>.</summary>
    public string Method { get; }

    /// <summary>Gets the statistic or distance.</summary>
    /// <value>NaN when <see cref="Outcome"/> is <see cref="TwoSampleOutcome.InsufficientData"/>; otherwise finite.</value>
    public double Statistic { get; }

    /// <summary>Gets the p-value of the test.</summary>
    /// <value><see langword="null"/> for a distance, which has no p-value; NaN for insufficient data.</value>
    public double? PValue { get; }

    /// <summary>Gets the threshold the verdict was taken against (a significance level or a distance).</summary>
    public double Threshold { get; }

    /// <summary>Gets how <see cref="Threshold"/> is compared.</summary>
    public TwoSampleDecision Decision { get; }

    /// <summary>Gets the verdict.</summary>
    public TwoSampleOutcome Outcome { get; }

    /// <summary>Gets a value indicating whether the verdict is <see cref="TwoSampleOutcome.Drift"/>.</summary>
    public bool IsDrift => Outcome == TwoSampleOutcome.Drift;

    /// <summary>Gets the number of values in the reference sample.</summary>
    public long ReferenceCount { get; }

    /// <summary>Gets the number of values in the current sample.</summary>
    public long CurrentCount { get; }

    /// <summary>Gets why the verdict is <see cref="TwoSampleOutcome.InsufficientData"/>.</summary>
    /// <value><see langword="null"/> unless <see cref="Outcome"/> is <see cref="TwoSampleOutcome.InsufficientData"/>.</value>
    public string? Reason { get; }

    /// <summary>Creates a result with a verdict taken from <paramref name="statistic"/> or <paramref name="pValue"/>.</summary>
    /// <param name="method">The name of the test or distance.</param>
    /// <param name="statistic">The statistic or distance.</param>
    /// <param name="pValue">The p-value, or <see langword="null"/> for a distance.</param>
    /// <param name="threshold">The threshold.</param>
    /// <param name="decision">How <paramref name="threshold"/> is compared.</param>
    /// <param name="referenceCount">The number of values in the reference sample.</param>
    /// <param name="currentCount">The number of values in the current sample.</param>
    /// <returns>The result, with <see cref="Outcome"/> decided.</returns>
    /// <exception cref="ArgumentException"><paramref name="decision"/> needs a p-value and <paramref name="pValue"/> is <see langword="null"/>.</exception>
    public static TwoSampleResult Decide(
        string method,
        double statistic,
        double? pValue,
        double threshold,
        TwoSampleDecision decision,
        long referenceCount,
        long currentCount)
    {
        bool drift = decision switch
        {
            TwoSampleDecision.PValueBelowThreshold => pValue is { } p
                ? p < threshold
                : throw new ArgumentException("A p-value decision needs a p-value.", nameof(pValue)),
            _ => statistic >= threshold,
        };
        return new TwoSampleResult(
            method,
            statistic,
            pValue,
            threshold,
            decision,
            drift ? TwoSampleOutcome.Drift : TwoSampleOutcome.NoDrift,
            referenceCount,
            currentCount);
    }

    /// <summary>Creates an <see cref="TwoSampleOutcome.InsufficientData"/> result.</summary>
    /// <param name="method">The name of the test or distance.</param>
    /// <param name="threshold">The threshold that would have been used.</param>
    /// <param name="decision">How the threshold would have been compared.</param>
    /// <param name="referenceCount">The number of values in the reference sample.</param>
    /// <param name="currentCount">The number of values in the current sample.</param>
    /// <param name="reason">Why the samples cannot be judged, for example <c>"the current sample has 1 value; at least 2 are needed"</c>.</param>
    /// <returns>The result, with a NaN statistic (and a NaN p-value when the decision uses one).</returns>
    public static TwoSampleResult Insufficient(
        string method,
        double threshold,
        TwoSampleDecision decision,
        long referenceCount,
        long currentCount,
        string reason) =>
        new(
            method,
            double.NaN,
            decision == TwoSampleDecision.PValueBelowThreshold ? double.NaN : null,
            threshold,
            decision,
            TwoSampleOutcome.InsufficientData,
            referenceCount,
            currentCount,
            reason);
}
