using FeedbackLoop.Drift;
using FeedbackLoop.State;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Drift;

public sealed class TwoSampleDriftDetectorTests
{
    private static readonly double[] Reference = Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray();

    [Fact]
    public void Update_TumblingWindow_TestsEveryFullWindowAndReportsDriftOnItsLastValue()
    {
        var test = new MeanShiftTest();
        var detector = new TwoSampleDriftDetector(test, Reference, new() { WindowSize = 4 });

        Feed(detector, 0.5, 0.5, 0.5).Should().Equal(DriftState.None, DriftState.None, DriftState.None);
        test.Compared.Should().Be(0);
        detector.Update(0.5).Should().Be(DriftState.None);
        test.Compared.Should().Be(1);
        detector.Count.Should().Be(0, "a tumbling window is emptied after a test");
        detector.LastResult!.CurrentCount.Should().Be(4);

        Feed(detector, 3, 3, 3, 3).Should().Equal(DriftState.None, DriftState.None, DriftState.None, DriftState.Drift);
        detector.LastResult!.IsDrift.Should().BeTrue();
        detector.LastResult.Statistic.Should().BeApproximately(2.505, 1e-12);
        detector.Count.Should().Be(4, "the drifting window is kept until the next update");
        detector.Update(0.5).Should().Be(DriftState.None);
        detector.Count.Should().Be(1, "the update after a drift starts a new window");
    }

    [Fact]
    public void Update_SlidingWindow_TestsOnceFullThenEveryNValues()
    {
        var test = new MeanShiftTest();
        var detector = new TwoSampleDriftDetector(test, Reference, new() { WindowSize = 5, Window = CurrentWindow.Sliding, EvaluateEvery = 2 });

        Feed(detector, 0.5, 0.5, 0.5, 0.5);
        test.Compared.Should().Be(0);
        detector.Update(0.5);
        test.Compared.Should().Be(1, "the window became full");
        detector.Update(2);
        test.Compared.Should().Be(1);
        detector.Update(2).Should().Be(DriftState.None, "the mean (4 + 3 * 0.5) / 5 = 1.1 is 0.605 from the reference mean 0.495");
        test.Compared.Should().Be(2);
        detector.Count.Should().Be(5);
        Feed(detector, 2, 2).Should().Equal(DriftState.None, DriftState.Drift);
        detector.LastResult!.Statistic.Should().BeApproximately(1.7 - 0.495, 1e-12);
    }

    [Fact]
    public void Update_NotFinite_ThrowsAndKeepsTheWindow()
    {
        var detector = new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 4 });
        detector.Update(1);

        Action act = () => detector.Update(double.NaN);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*finite*");
        detector.Count.Should().Be(1);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Update_NotFiniteCountedAsMissing_LeavesItOutOfTheWindow(double value)
    {
        var detector = new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 2, NonFiniteValues = NonFiniteValues.CountAsMissing });
        detector.Update(3);

        detector.Update(value).Should().Be(DriftState.None);

        detector.MissingCount.Should().Be(1);
        detector.Count.Should().Be(1);
        detector.Update(3).Should().Be(DriftState.Drift, "the missing value took no place in the window");
        detector.Reset();
        detector.MissingCount.Should().Be(0);
    }

    [Fact]
    public void Update_TestRefusesAWindowValue_PropagatesAndEmptiesTheWindow()
    {
        var detector = new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 2 });
        detector.Update(-1);

        Action act = () => detector.Update(0.5);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*negative*");
        detector.Count.Should().Be(0);
        detector.Update(0.5).Should().Be(DriftState.None);
    }

    [Fact]
    public void Reset_AfterValues_EmptiesWindowAndForgetsLastResult()
    {
        var detector = new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 2 });
        Feed(detector, 3, 3, 3);

        detector.Reset();

        detector.Count.Should().Be(0);
        detector.LastResult.Should().BeNull();
        detector.State.Should().Be(DriftState.None);
    }

    [Fact]
    public void Restore_MidStream_ReplaysTheRestIdentically()
    {
        DetectorSnapshots.AssertReplayIdentical(
            () => new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 30, Window = CurrentWindow.Sliding, EvaluateEvery = 7 }),
            ShiftingStream(),
            splitAt: 213);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(29)]
    [InlineData(30)]
    public void Restore_SnapshotWhileTheSlidingWindowFills_ReplaysTheRestIdentically(int splitAt)
    {
        // Window 30 tested every 7 values: while it fills, more than 7 values have passed since the last test.
        DetectorSnapshots.AssertReplayIdentical(
            () => new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 30, Window = CurrentWindow.Sliding, EvaluateEvery = 7 }),
            ShiftingStream(),
            splitAt);
    }

    public static TheoryData<CurrentWindow, int, int> WindowShapes => new()
    {
        { CurrentWindow.Sliding, 10, 3 },
        { CurrentWindow.Sliding, 10, 1 },
        { CurrentWindow.Sliding, 10, 10 },
        { CurrentWindow.Sliding, 10, 25 },
        { CurrentWindow.Tumbling, 10, 1 },
    };

    [Theory]
    [MemberData(nameof(WindowShapes))]
    public void Restore_SnapshotAtEveryPoint_ReplaysTheRestIdentically(CurrentWindow window, int windowSize, int evaluateEvery)
    {
        // Empty, filling, full, just drifted and refilling after a drift, with values counted as missing on the way.
        var stream = ShiftingStream();
        for (int i = 37; i < stream.Length; i += 41)
        {
            stream[i] = double.NaN;
        }

        for (int splitAt = 0; splitAt <= stream.Length; splitAt++)
        {
            DetectorSnapshots.AssertReplayIdentical(
                () => new TwoSampleDriftDetector(
                    new MeanShiftTest(),
                    Reference,
                    new() { WindowSize = windowSize, Window = window, EvaluateEvery = evaluateEvery, NonFiniteValues = NonFiniteValues.CountAsMissing }),
                stream,
                splitAt);
        }
    }

    [Theory]
    [InlineData(3, 0, 3, 0, "a filling window starts at position 0")]
    [InlineData(3, 3, 2, 0, "a filling window counts every value since the last test")]
    [InlineData(3, 3, 3, 2, "a filling window has not drifted")]
    [InlineData(5, 0, 7, 0, "a full window is tested every 7 values")]
    [InlineData(5, 0, 3, 2, "a drift is reported as the window is tested")]
    public void Restore_UnreachableWindowPosition_IsRefusedAsCorrupt(int filled, int next, int sinceTest, int state, string because)
    {
        var detector = new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 5, Window = CurrentWindow.Sliding, EvaluateEvery = 7 });
        var source = new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 5, Window = CurrentWindow.Sliding, EvaluateEvery = 7 });
        var snapshot = new SnapshotWriter(nameof(TwoSampleDriftDetector), 1)
            .Write(5).Write((int)CurrentWindow.Sliding).Write(7).Write((long)Reference.Length).Write(ReferenceFingerprint(source))
            .Write(false)
            .Write(filled).Write(next).Write(sinceTest).Write(0L).Write(state)
            .Write(Enumerable.Repeat(0.5, filled).ToArray())
            .ToSnapshot();
        byte[] before = detector.Snapshot().ToBytes();

        Action restore = () => detector.Restore(snapshot);

        restore.Should().Throw<ArgumentException>(because).WithMessage("*corrupt*").And.ParamName.Should().Be("snapshot");
        detector.Snapshot().ToBytes().Should().Equal(before);
    }

    [Fact]
    public void Restore_OtherReference_IsRefused()
    {
        var source = new TwoSampleDriftDetector(new MeanShiftTest(), Reference);
        var other = new TwoSampleDriftDetector(new MeanShiftTest(), Reference.Select(v => v + 1).ToArray());

        DetectorSnapshots.AssertOtherParametersRefused(source, other, "ReferenceFingerprint");
    }

    [Fact]
    public void Restore_CorruptOrForeignSnapshot_IsRefused() =>
        DetectorSnapshots.AssertCorruptRefused(new TwoSampleDriftDetector(new MeanShiftTest(), Reference), new Ddm());

    [Fact]
    public void Constructor_NullTest_Throws()
    {
        Action act = () => _ = new TwoSampleDriftDetector(null!, Reference);
        act.Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData(1, 1, CurrentWindow.Tumbling, "*window size*")]
    [InlineData(10, 0, CurrentWindow.Sliding, "*EvaluateEvery*")]
    [InlineData(10, 1, (CurrentWindow)9, "*Tumbling or Sliding*")]
    [InlineData(10, 1, CurrentWindow.Tumbling, "*Reject or CountAsMissing*", (NonFiniteValues)5)]
    public void Constructor_InvalidOptions_Throw(int windowSize, int evaluateEvery, CurrentWindow window, string message, NonFiniteValues nonFinite = NonFiniteValues.Reject)
    {
        Action act = () => _ = new TwoSampleDriftDetector(
            new MeanShiftTest(),
            Reference,
            new() { WindowSize = windowSize, EvaluateEvery = evaluateEvery, Window = window, NonFiniteValues = nonFinite });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    /// <summary>400 values around 0.5, then around 1.5 from value 200 on: the mean-shift test drifts on the second half.</summary>
    private static double[] ShiftingStream()
    {
        var random = new Random(5);
        return Enumerable.Range(0, 400).Select(i => (i < 200 ? 0.5 : 1.5) + (random.NextDouble() - 0.5)).ToArray();
    }

    /// <summary>The reference fingerprint a detector writes, read back from its own snapshot.</summary>
    private static long ReferenceFingerprint(TwoSampleDriftDetector detector)
    {
        var reader = SnapshotReader.Open(detector.Snapshot(), nameof(TwoSampleDriftDetector), 1);
        reader.ReadInt64();
        reader.ReadInt64();
        reader.ReadInt64();
        reader.ReadInt64();
        return reader.ReadInt64();
    }

    private static DriftState[] Feed(TwoSampleDriftDetector detector, params double[] values) => values.Select(detector.Update).ToArray();

    /// <summary>Drift when the window mean is at least 1 from the reference mean; refuses negative values, as a test with a domain would.</summary>
    private sealed class MeanShiftTest : ITwoSampleTest
    {
        public int Compared { get; private set; }

        public string Name => "mean-shift";

        public IPreparedTwoSampleTest Prepare(ReadOnlySpan<double> reference) => new Prepared(this, reference.ToArray());

        private sealed class Prepared(MeanShiftTest owner, double[] reference) : IPreparedTwoSampleTest
        {
            public string Name => owner.Name;

            public long ReferenceCount => reference.Length;

            public TwoSampleResult Compare(ReadOnlySpan<double> current)
            {
                owner.Compared++;
                double sum = 0;
                foreach (double value in current)
                {
                    sum += value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(current), value, "The value is negative.");
                }

                double distance = Math.Abs((sum / current.Length) - reference.Average());
                return TwoSampleResult.Decide(Name, distance, null, 1.0, TwoSampleDecision.StatisticAtLeastThreshold, reference.Length, current.Length);
            }
        }
    }
}
