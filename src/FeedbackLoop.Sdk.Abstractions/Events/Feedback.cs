namespace FeedbackLoop;

/// <summary>Feedback about one prediction, which may arrive long after it (or, out of order, before it).</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class Feedback
{
    /// <summary>Initializes a new feedback event.</summary>
    /// <param name="id">The idempotency identifier: the same id is applied once.</param>
    /// <param name="predictionId">The prediction it refers to.</param>
    /// <param name="kind">What it says.</param>
    /// <param name="value">The label (ground truth, correction), number (rating) or reason (flag).</param>
    /// <param name="source">Who or what produced it (for example "billing-system", "reviewer:42").</param>
    /// <param name="timestamp">When it was produced; <c>default</c> means "when the loop receives it".</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="predictionId"/> is empty, or <paramref name="source"/> is null or empty.</exception>
    public Feedback(FeedbackId id, PredictionId predictionId, FeedbackKind kind, Label value, string source, DateTimeOffset timestamp = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (id.Value == Guid.Empty)
        {
            throw new ArgumentException("A feedback id cannot be empty: it is what makes re-delivery idempotent.", nameof(id));
        }

        if (predictionId.Value == Guid.Empty)
        {
            throw new ArgumentException("The prediction id cannot be empty: feedback is joined to its prediction by it.", nameof(predictionId));
        }

        Id = id;
        PredictionId = predictionId;
        Kind = kind;
        Value = value;
        Source = source;
        Timestamp = timestamp;
    }

    /// <summary>Gets the idempotency identifier.</summary>
    public FeedbackId Id { get; }

    /// <summary>Gets the prediction it refers to.</summary>
    public PredictionId PredictionId { get; }

    /// <summary>Gets what the feedback says.</summary>
    public FeedbackKind Kind { get; }

    /// <summary>Gets the value: a label for ground truth and corrections, a number for ratings, an optional reason for flags.</summary>
    public Label Value { get; }

    /// <summary>Gets who or what produced it.</summary>
    public string Source { get; }

    /// <summary>Gets when it was produced. A loop replaces <c>default</c> with the time it received the event before any store or sink sees it.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets whether this feedback carries a training label (<see cref="FeedbackKind.GroundTruth"/> or <see cref="FeedbackKind.HumanCorrection"/>).</summary>
    public bool IsLabel => Kind is FeedbackKind.GroundTruth or FeedbackKind.HumanCorrection;

    /// <summary>Returns this feedback with <paramref name="timestamp"/> when its own timestamp is <c>default</c>; otherwise this instance.</summary>
    /// <param name="timestamp">The time to use, normally when the loop received it.</param>
    /// <returns>Feedback with a timestamp.</returns>
    public Feedback WithTimestampOr(DateTimeOffset timestamp) =>
        Timestamp == default ? new Feedback(Id, PredictionId, Kind, Value, Source, timestamp) : this;

    /// <summary>Creates ground-truth feedback.</summary>
    /// <param name="predictionId">The prediction.</param>
    /// <param name="label">The observed outcome.</param>
    /// <param name="timestamp">When it was observed; default "on receipt".</param>
    /// <param name="source">The source. Default "ground-truth".</param>
    /// <param name="id">The idempotency id; a new one when omitted.</param>
    /// <returns>The feedback.</returns>
    public static Feedback GroundTruth(PredictionId predictionId, Label label, DateTimeOffset timestamp = default, string source = "ground-truth", FeedbackId? id = null) =>
        new(id ?? FeedbackId.New(), predictionId, FeedbackKind.GroundTruth, label, source, timestamp);

    /// <summary>Creates a human correction.</summary>
    /// <param name="predictionId">The prediction.</param>
    /// <param name="label">The corrected label.</param>
    /// <param name="reviewer">Who corrected it.</param>
    /// <param name="timestamp">When; default "on receipt".</param>
    /// <param name="id">The idempotency id; a new one when omitted.</param>
    /// <returns>The feedback.</returns>
    public static Feedback Correction(PredictionId predictionId, Label label, string reviewer, DateTimeOffset timestamp = default, FeedbackId? id = null) =>
        new(id ?? FeedbackId.New(), predictionId, FeedbackKind.HumanCorrection, label, reviewer, timestamp);

    /// <summary>Creates a rating.</summary>
    /// <param name="predictionId">The prediction.</param>
    /// <param name="rating">The rating, a finite number.</param>
    /// <param name="source">Who rated it.</param>
    /// <param name="timestamp">When; default "on receipt".</param>
    /// <param name="id">The idempotency id; a new one when omitted.</param>
    /// <returns>The feedback.</returns>
    public static Feedback Rating(PredictionId predictionId, double rating, string source, DateTimeOffset timestamp = default, FeedbackId? id = null) =>
        new(id ?? FeedbackId.New(), predictionId, FeedbackKind.Rating, Label.Numeric(rating), source, timestamp);

    /// <summary>Creates a flag.</summary>
    /// <param name="predictionId">The prediction.</param>
    /// <param name="reason">Why it was flagged; optional.</param>
    /// <param name="source">Who flagged it.</param>
    /// <param name="timestamp">When; default "on receipt".</param>
    /// <param name="id">The idempotency id; a new one when omitted.</param>
    /// <returns>The feedback.</returns>
    public static Feedback Flag(PredictionId predictionId, string? reason, string source, DateTimeOffset timestamp = default, FeedbackId? id = null) =>
        new(id ?? FeedbackId.New(), predictionId, FeedbackKind.Flag, reason is null ? Label.None : Label.Categorical(reason), source, timestamp);
}
