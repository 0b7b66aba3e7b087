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

    [Fact]
    public void ReadFrom_OutcomesOfEveryTask_RestoreEqualOutputsAndMetrics()
    {
        var tickets = ModelTask.Multiclass("low", "mid", "high");
        (ModelTask Task, Label Actual, PredictionOutput Output)[] cases =
        [
            (ModelTask.Binary, true, PredictionOutput.Binary(0.3, threshold: 0.2)),
            (ModelTask.Binary, false, PredictionOutput.Binary(0.3)),
            (ModelTask.Binary, true, PredictionOutput.FromLabel(true)),
            (tickets, Label.Categorical("mid"), PredictionOutput.Multiclass(tickets, [0.2, 0.3, 0.5])),
            (tickets, Label.Categorical("low"), PredictionOutput.FromLabel(Label.Categorical("low"))),
            (ModelTask.Regression, Label.Numeric(3.25), PredictionOutput.Regression(-1.5)),
            (ModelTask.Regression, Label.Numeric(3.25), PredictionOutput.Regression(-1.5, -4.0, 0.25)),
        ];

        foreach (var (task, actual, output) in cases)
        {
            var saved = new RollingOutcomes(task, 2);
            saved.Add(actual, output);
            saved.Add(actual, output);
            var restored = RoundTrip(saved, task, 2);

            restored.Metrics().Should().Equal(saved.Metrics(), $"{task}: {output}");
            restored.Metrics().Should().NotBeEmpty();
            var again = new RollingOutcomes(task, 2);
            again.CopyFrom(restored);
            Write(again).Should().Equal(Write(saved), $"{task}: {output} is rebuilt as it was saved (the host's threshold included)");
        }
    }

    [Fact]
    public void ReadFrom_OutcomeOutsideTheTask_IsRefusedAsCorrupt()
    {
        var saved = new RollingOutcomes(ModelTask.Multiclass("a", "b", "c"), 2);
        saved.Add(Label.Categorical("c"), PredictionOutput.FromLabel(Label.Categorical("c")));
        var writer = new SnapshotWriter("Window", 1);
        saved.WriteTo(writer);
        var snapshot = writer.ToSnapshot();

        var act = () =>
        {
            var reader = SnapshotReader.Open(snapshot, "Window", 1);
            new RollingOutcomes(ModelTask.Multiclass("a", "b"), 2).ReadFrom(ref reader);
        };

        act.Should().Throw<ArgumentException>().WithMessage("*snapshot is corrupt: rolling outcome 0 does not fit*'c' is not one of*");
    }

    [Theory]
    [InlineData("empty class", "*a saved class is empty*")]
    [InlineData("infinite label", "*a saved label is not finite*")]
    [InlineData("undefined kind", "*the label kind 9 is not defined*")]
    [InlineData("binary with probabilities", "*rolling outcome 0 does not fit*one score, not per-class probabilities*")]
    [InlineData("regression with a score", "*rolling outcome 0 does not fit*an interval, no score*")]
    public void ReadFrom_CraftedOutcomes_AreRefusedAsCorrupt(string crafted, string message)
    {
        var task = crafted switch
        {
            "binary with probabilities" => ModelTask.Binary,
            "regression with a score" or "infinite label" => ModelTask.Regression,
            _ => ModelTask.Multiclass("a", "b"),
        };

        // The layout WriteTo uses: capacity, count, then per outcome the actual label, the predicted label, the score and the probabilities.
        var writer = new SnapshotWriter("Window", 1).Write(2).Write(1L);
        _ = crafted switch
        {
            "empty class" => writer.Write((int)LabelKind.Categorical).Write(string.Empty),
            "infinite label" => writer.Write((int)LabelKind.Numeric).Write(double.PositiveInfinity),
            "undefined kind" => writer.Write(9),
            "binary with probabilities" => writer.Write((int)LabelKind.Binary).Write(1.0).Write((int)LabelKind.Binary).Write(1.0).Write(0.9).Write([0.1, 0.9]),
            _ => writer.Write((int)LabelKind.Numeric).Write(2.0).Write((int)LabelKind.Numeric).Write(2.5).Write(0.5).Write(ReadOnlySpan<double>.Empty),
        };
        var snapshot = writer.ToSnapshot();

        var act = () =>
        {
            var reader = SnapshotReader.Open(snapshot, "Window", 1);
            new RollingOutcomes(task, 2).ReadFrom(ref reader);
        };

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Error_FollowsTheTask()
    {
        RollingOutcomes.Error(ModelTask.Binary, true, PredictionOutput.Binary(0.2)).Should().Be(1.0);
        RollingOutcomes.Error(ModelTask.Multiclass("a", "b"), Label.Categorical("b"), PredictionOutput.Multiclass(ModelTask.Multiclass("a", "b"), [0.1, 0.9])).Should().Be(0.0);
        RollingOutcomes.Error(ModelTask.Regression, Label.Numeric(2.0), PredictionOutput.Regression(5.5)).Should().Be(3.5);
        RollingOutcomes.Error(ModelTask.Regression, Label.Numeric(1e308), PredictionOutput.Regression(-1e308)).Should().Be(double.MaxValue, "finite values far apart must not feed infinity to a detector");
    }

    private static RollingOutcomes RoundTrip(RollingOutcomes saved, ModelTask task, int capacity)
    {
        var restored = new RollingOutcomes(task, capacity);
        var reader = SnapshotReader.Open(StateSnapshot.FromBytes(Write(saved)), "Window", 1);
        restored.ReadFrom(ref reader);
        return restored;
    }

    private static byte[] Write(RollingOutcomes outcomes)
    {
        var writer = new SnapshotWriter("Window", 1);
        outcomes.WriteTo(writer);
        return writer.ToSnapshot().ToBytes();
    }
}
