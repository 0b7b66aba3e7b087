using System.Collections.Concurrent;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>A host's own sink, as docs/extending.md shows: it sees every recorded event with its outcome.</summary>
public sealed class RecordingSink : IFeedbackSink
{
    public ConcurrentQueue<(Prediction Prediction, EventOutcome Outcome)> Predictions { get; } = new();

    public ConcurrentQueue<(Feedback Feedback, EventOutcome Outcome)> Feedback { get; } = new();

    public void OnPrediction(Prediction prediction, EventOutcome outcome) => Predictions.Enqueue((prediction, outcome));

    public void OnFeedback(Feedback feedback, EventOutcome outcome) => Feedback.Enqueue((feedback, outcome));
}

/// <summary>A sink that always throws, to prove the loop contains it.</summary>
public sealed class ThrowingSink : IFeedbackSink
{
    public void OnPrediction(Prediction prediction, EventOutcome outcome) => throw new InvalidOperationException("sink down");

    public void OnFeedback(Feedback feedback, EventOutcome outcome) => throw new InvalidOperationException("sink down");
}
