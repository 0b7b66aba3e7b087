using FeedbackLoop.Drift;
using FeedbackLoop.State;

namespace FeedbackLoop.Tests.State;

/// <summary>The restorable detector of docs/extending.md, written against Abstractions alone.</summary>
public class ThirdPartyDetectorTests
{
    [Fact]
    public void Restore_HalfwaySnapshotThroughBytes_ContinuesLikeTheOriginal()
    {
        var stream = Enumerable.Range(0, 200).Select(i => (double)((i * 37) % 13)).ToArray();
        var original = new AboveLimitDetector(limit: 8, patience: 3);
        foreach (var value in stream[..100])
        {
            original.Update(value);
        }

        var restored = new AboveLimitDetector(limit: 8, patience: 3);
        restored.Restore(StateSnapshot.FromBytes(original.Snapshot().ToBytes()));

        stream[100..].Select(restored.Update).Should().Equal(stream[100..].Select(original.Update));
    }

    [Fact]
    public void Restore_OtherParameterOrCorruptState_ThrowsAndKeepsTheState()
    {
        var detector = new AboveLimitDetector(limit: 8, patience: 3);
        detector.Update(9);
        var other = new AboveLimitDetector(limit: 8, patience: 4).Snapshot();
        var corrupt = new SnapshotWriter(nameof(AboveLimitDetector), 1).Write(8.0).Write(3).Write(-1).ToSnapshot();

        var act = () => detector.Restore(other);
        var actCorrupt = () => detector.Restore(corrupt);

        act.Should().Throw<ArgumentException>().WithMessage("*patience = 4*patience = 3*");
        actCorrupt.Should().Throw<ArgumentException>().WithMessage("*negative*");
        detector.State.Should().Be(DriftState.Warning);
        detector.Update(9).Should().Be(DriftState.Warning);
        detector.Update(9).Should().Be(DriftState.Drift);
    }

    private sealed class AboveLimitDetector(double limit, int patience) : IRestorableDriftDetector
    {
        private int _run;

        public DriftState State { get; private set; }

        public DriftState Update(double value)
        {
            _run = value > limit ? _run + 1 : 0;
            State = _run >= patience ? DriftState.Drift : _run > 0 ? DriftState.Warning : DriftState.None;
            return State;
        }

        public void Reset()
        {
            _run = 0;
            State = DriftState.None;
        }

        public StateSnapshot Snapshot() =>
            new SnapshotWriter(nameof(AboveLimitDetector), version: 1).Write(limit).Write(patience).Write(_run).ToSnapshot();

        public void Restore(StateSnapshot snapshot)
        {
            var reader = SnapshotReader.Open(snapshot, nameof(AboveLimitDetector), version: 1);
            reader.ExpectParameter("limit", limit);
            reader.ExpectParameter("patience", patience);
            int run = reader.ReadInt32();
            reader.End();
            if (run < 0)
            {
                throw reader.Corrupt("the run length is negative");
            }

            _run = run;
            State = run >= patience ? DriftState.Drift : run > 0 ? DriftState.Warning : DriftState.None;
        }
    }
}
