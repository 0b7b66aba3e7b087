using FeedbackLoop.Models;
using FeedbackLoop.Monitoring;
using FeedbackLoop.State;

namespace FeedbackLoop.Tests.Monitoring;

public class RollingOutcomesTests
{
    [Fact]
    public void ReadFrom_SmallerWindowAfterTheRingWrapped_KeepsTheNewestOutcomes()
    {
        var saved = new RollingOutcomes(ModelTask.Binary, 4);
        foreach (var correct in new[] { false, false, false, false, true, true, true })
        {
            saved.Add(true, PredictionOutput.Binary(correct ? 0.9 : 0.1));
        }

        var writer = new SnapshotWriter("Window", 1);
        saved.WriteTo(writer);
        var snapshot = writer.ToSnapshot();
        var restored = new RollingOutcomes(ModelTask.Binary, 3);
        var reader = SnapshotReader.Open(snapshot, "Window", 1);
        restored.ReadFrom(ref reader);

        restored.IsFull.Should().BeTrue();
        restored.Metrics()["accuracy"].Should().Be(1.0, "the three newest outcomes were all right; the ring's slot order would have kept a wrong one");
    }

    [Fact]
    public void ReadFrom_SameWindow_RestoresSlotForSlot()
    {
        var saved = new RollingOutcomes(ModelTask.Binary, 3);
        foreach (var score in new[] { 0.1, 0.9, 0.8, 0.3, 0.7 })
        {
            saved.Add(score > 0.5, PredictionOutput.Binary(score));
        }

        var writer = new SnapshotWriter("Window", 1);
        saved.WriteTo(writer);
        var restored = new RollingOutcomes(ModelTask.Binary, 3);
        var reader = SnapshotReader.Open(writer.ToSnapshot(), "Window", 1);
        restored.ReadFrom(ref reader);

        restored.Metrics().Should().Equal(saved.Metrics());
    }
}
