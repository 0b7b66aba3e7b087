using FeedbackLoop.Drift;
using FeedbackLoop.State;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>Checks shared by every restorable detector's tests.</summary>
internal static class DetectorSnapshots
{
    /// <summary>
    /// Feeds <paramref name="stream"/> to one detector without interruption, and to a second detector up to
    /// <paramref name="splitAt"/>, snapshots it through bytes into a third, fresh instance that sees the rest; the
    /// state sequences must be identical, and so must the snapshots at the end.
    /// </summary>
    public static void AssertReplayIdentical<T>(Func<T> create, IReadOnlyList<double> stream, int splitAt)
        where T : IRestorableDriftDetector
    {
        T uninterrupted = create();
        var expected = stream.Select(uninterrupted.Update).ToArray();

        T first = create();
        var states = new List<DriftState>(stream.Count);
        for (int i = 0; i < splitAt; i++)
        {
            states.Add(first.Update(stream[i]));
        }

        byte[] bytes = first.Snapshot().ToBytes();
        T second = create();
        second.Restore(StateSnapshot.FromBytes(bytes));
        second.State.Should().Be(first.State);
        for (int i = splitAt; i < stream.Count; i++)
        {
            states.Add(second.Update(stream[i]));
        }

        states.Should().Equal(expected);
        second.Snapshot().ToBytes().Should().Equal(uninterrupted.Snapshot().ToBytes());
        expected.Should().Contain(DriftState.Drift, "the stream must exercise a drift for the check to mean anything");
    }

    /// <summary>A snapshot restored into an instance with other parameters is refused, naming the parameter, and leaves it unchanged.</summary>
    public static void AssertOtherParametersRefused<T>(T source, T other, string parameter)
        where T : IRestorableDriftDetector
    {
        byte[] before = other.Snapshot().ToBytes();
        Action restore = () => other.Restore(source.Snapshot());
        restore.Should().Throw<ArgumentException>().WithMessage($"*{parameter}*").And.ParamName.Should().Be("snapshot");
        other.Snapshot().ToBytes().Should().Equal(before);
    }

    /// <summary>A truncated, foreign-format or other-kind snapshot is refused with a clear exception.</summary>
    public static void AssertCorruptRefused(IRestorableDriftDetector detector, IRestorableDriftDetector otherKind)
    {
        byte[] bytes = detector.Snapshot().ToBytes();
        Action truncated = () => StateSnapshot.FromBytes(bytes.AsSpan(0, bytes.Length - 1));
        truncated.Should().Throw<FormatException>().WithMessage("*truncated*");
        Action garbage = () => StateSnapshot.FromBytes([1, 2, 3, 4, 5, 6]);
        garbage.Should().Throw<FormatException>().WithMessage("*FLSS*");
        Action foreign = () => detector.Restore(otherKind.Snapshot());
        foreign.Should().Throw<ArgumentException>().WithMessage("*cannot be restored*");
    }
}
