using FeedbackLoop.Drift;
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
        var random = new Random(5);
        var stream = Enumerable.Range(0, 400).Select(i => (i < 200 ? 0.5 : 1.5) + (random.NextDouble() - 0.5)).ToArray();

        DetectorSnapshots.AssertReplayIdentical(
            () => new TwoSampleDriftDetector(new MeanShiftTest(), Reference, new() { WindowSize = 30, Window = CurrentWindow.Sliding, EvaluateEvery = 7 }),
            stream,
            splitAt: 213);
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
