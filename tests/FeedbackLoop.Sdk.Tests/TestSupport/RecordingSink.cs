using System.Collections.Concurrent;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>A host's own sink, as docs/extending.md shows: it sees every recorded event.</summary>
public sealed class RecordingSink : IFeedbackSink
{
    public ConcurrentQueue<Prediction> Predictions { get; } = new();

    public ConcurrentQueue<(Feedback Feedback, Prediction? Prediction)> Feedback { get; } = new();

    public void OnPrediction(Prediction prediction) => Predictions.Enqueue(prediction);

    public void OnFeedback(Feedback feedback, Prediction? prediction) => Feedback.Enqueue((feedback, prediction));
}

/// <summary>A sink that always throws, to prove the loop contains it.</summary>
public sealed class ThrowingSink : IFeedbackSink
{
    public void OnPrediction(Prediction prediction) => throw new InvalidOperationException("sink down");

    public void OnFeedback(Feedback feedback, Prediction? prediction) => throw new InvalidOperationException("sink down");
}
