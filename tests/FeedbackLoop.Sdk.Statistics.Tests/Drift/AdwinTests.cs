using FeedbackLoop.Drift;
using FeedbackLoop.State;

namespace FeedbackLoop.Tests.Drift;

// Definition under test: Bifet & Gavaldà (2007), ADWIN2 as MOA's ADWIN.java implements it. Exact traces are in
// StreamingDetectorReferenceTests.
public sealed class AdwinTests
{
    [Fact]
    public void Constructor_Defaults_AreMoasDefaults()
    {
        var adwin = new Adwin();

        (adwin.Delta, adwin.Clock, adwin.MaximumBuckets, adwin.MinimumWindowLength, adwin.GracePeriod).Should().Be((0.002, 32, 5, 5, 10));
        adwin.Direction.Should().Be(ChangeDirection.Both, "MOA and River report every shrink");
    }

    [Fact]
    public void Update_StationaryValues_KeepsThemAllWithExactMeanAndVariance()
    {
        var adwin = new Adwin();
        double[] values = Enumerable.Range(0, 1_000).Select(i => (double)(i % 10)).ToArray();

        values.Select(adwin.Update).Should().NotContain(DriftState.Drift);

        adwin.Width.Should().Be(1_000, "the buckets compress the window without losing values");
        adwin.Total.Should().Be(values.Sum());
        adwin.Mean.Should().BeApproximately(4.5, 1e-12);
        adwin.Variance.Should().BeApproximately(8.25, 1e-9, "the population variance of 0..9");
    }

    [Fact]
    public void Update_AbruptShift_ShrinksTheWindowToTheNewValuesWithoutRestarting()
    {
        var adwin = new Adwin();
        for (int i = 0; i < 2_000; i++)
        {
            adwin.Update(i % 2 == 0 ? 0.2 : 0.3);
        }

        int detectedAt = -1;
        for (int i = 0; i < 1_000 && detectedAt < 0; i++)
        {
            if (adwin.Update(0.8) == DriftState.Drift)
            {
                detectedAt = i;
            }
        }

        detectedAt.Should().BeInRange(0, 64, "a shift of 0.55 on a window of variance 0.0025 is caught at the next scans");
        long widthAtDrift = adwin.Width;
        widthAtDrift.Should().BeLessThan(2_000 + detectedAt + 1);
        adwin.Detections.Should().BeGreaterThan(0);
        adwin.Update(0.8).Should().Be(DriftState.None);
        adwin.Width.Should().Be(widthAtDrift + 1, "ADWIN keeps its shrunken window after a drift");
        for (int i = 0; i < 2_000; i++)
        {
            adwin.Update(0.8);
        }

        // A bucket merged across the change keeps a few old values: ADWIN cuts only between buckets.
        adwin.Mean.Should().BeApproximately(0.8, 0.01, "the old part of the window was dropped");
    }

    [Theory]
    [InlineData(0.2, 0.8, ChangeDirection.Up, true)]
    [InlineData(0.2, 0.8, ChangeDirection.Down, false)]
    [InlineData(0.8, 0.2, ChangeDirection.Down, true)]
    [InlineData(0.8, 0.2, ChangeDirection.Up, false)]
    [InlineData(0.8, 0.2, ChangeDirection.Both, true)]
    public void Direction_ReportsOnlyItsChanges_AndKeepsTheWindowAsTheTwoSidedDetectorDoes(double from, double to, ChangeDirection direction, bool reported)
    {
        var oneSided = new Adwin(direction: direction);
        var twoSided = new Adwin();
        double[] values = [.. Enumerable.Range(0, 2_000).Select(i => from + (i % 2 == 0 ? 0 : 0.1)), .. Enumerable.Repeat(to, 500)];

        var states = values.Select(oneSided.Update).ToList();
        var twoSidedStates = values.Select(twoSided.Update).ToList();

        twoSidedStates.Should().Contain(DriftState.Drift);
        states.Contains(DriftState.Drift).Should().Be(reported);
        (oneSided.Width, oneSided.Total).Should().Be((twoSided.Width, twoSided.Total), "the direction filters what is reported, not what the window keeps");
        oneSided.Detections.Should().Be(reported ? twoSided.Detections : 0);
        oneSided.Direction.Should().Be(direction);
    }

    [Fact]
    public void Direction_NotDefined_Throws() =>
        FluentActions.Invoking(() => new Adwin(direction: (ChangeDirection)7)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("direction");

    [Theory]
    [InlineData(0.0, 32, 5, 5, 10, "delta")]
    [InlineData(1.0, 32, 5, 5, 10, "delta")]
    [InlineData(0.002, 0, 5, 5, 10, "clock")]
    [InlineData(0.002, 32, 1, 5, 10, "maximumBuckets")]
    [InlineData(0.002, 32, 5, 0, 10, "minimumWindowLength")]
    [InlineData(0.002, 32, 5, 5, 0, "gracePeriod")]
    public void Constructor_InvalidParameter_Throws(double delta, int clock, int buckets, int minimumWindow, int grace, string parameter)
    {
        Action act = () => _ = new Adwin(delta, clock, buckets, minimumWindow, grace);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }

    // Rows [count of 1-value buckets, count of 2-value buckets] against the width 3: only [1, 1] adds up.
    [Theory]
    [InlineData(new long[] { 1, 1 }, 3, true)]
    [InlineData(new long[] { 2, 0 }, 3, false)]
    [InlineData(new long[] { -1, 2 }, 3, false)]
    [InlineData(new long[] { 7, -2 }, 3, false)]
    [InlineData(new long[] { 1, 1 }, 4, false)]
    public void Restore_BucketRowsThatDoNotAddUpToTheWidth_AreRefused(long[] rowCounts, long width, bool valid)
    {
        double[] buckets = [.. Enumerable.Repeat(1.0, (int)Math.Max(0, rowCounts.Sum()))];
        StateSnapshot snapshot = new SnapshotWriter(nameof(Adwin), 2)
            .Write(0.002).Write(32).Write(5).Write(5).Write(10)
            .Write(rowCounts.Length - 1).Write(width).Write(3.0).Write(0.5).Write(width).Write(0L).Write((int)DriftState.None)
            .Write(rowCounts).Write(buckets).Write(buckets)
            .ToSnapshot();
        var adwin = new Adwin();

        Action restore = () => adwin.Restore(snapshot);

        if (valid)
        {
            restore();
            adwin.Width.Should().Be(3);
            adwin.Mean.Should().Be(1.0);
        }
        else
        {
            restore.Should().Throw<ArgumentException>().WithMessage("*do not add up*").And.ParamName.Should().Be("snapshot");
            adwin.Width.Should().Be(0);
        }
    }
}
