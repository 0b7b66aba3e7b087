using FeedbackLoop.Tests.TestSupport;
using FeedbackLoop.Drift;
using MathNet.Numerics.Distributions;

namespace FeedbackLoop.Tests.Drift;

// Definition under test: Page (1954), "Continuous inspection schemes", Biometrika 41, in the streaming form of
// River's drift.PageHinkley (forgetting factor on the cumulative sums, restart on the update after a drift).
// Reference traces and Monte Carlo figures come from Reference/make_drift_reference.py (DriftReferenceData.g.cs).
public sealed class PageHinkleyTests
{
    [Fact]
    public void Constructor_Defaults_AreRiversDefaults()
    {
        var ph = new PageHinkley();

        ph.MinimumInstances.Should().Be(30);
        ph.Delta.Should().Be(0.005);
        ph.Threshold.Should().Be(50.0);
        ph.Alpha.Should().Be(1 - 0.0001);
        ph.Direction.Should().Be(ChangeDirection.Both);
        ph.State.Should().Be(DriftState.None);
        ph.Count.Should().Be(0);
        ph.Mean.Should().Be(0.0);
        ph.Statistic.Should().Be(0.0);
    }

    [Fact]
    public void Update_ShortIncrease_MatchesHandComputedSums()
    {
        // delta = 0.5, alpha = 1, threshold = 5, minimumInstances = 2; values 1, 2, 3, 10.
        // t  x   mean  x-mean  m_t = m + x - mean - 0.5   M_t    m-M   u_t = u + x - mean + 0.5   U_t   U-u
        // 1  1   1     0       -0.5                       -0.5   0     0.5                       0.5   0
        // 2  2   1.5   0.5     -0.5                       -0.5   0     1.5                       1.5   0
        // 3  3   2     1        0                         -0.5   0.5   3                         3     0
        // 4  10  4     6        5.5                       -0.5   6     9.5                       9.5   0   -> 6 > 5: Drift
        var ph = new PageHinkley(minimumInstances: 2, delta: 0.5, threshold: 5, alpha: 1);

        AssertStep(ph, 1, DriftState.None, 1, 1.0, 0.0);
        AssertStep(ph, 2, DriftState.None, 2, 1.5, 0.0);
        AssertStep(ph, 3, DriftState.None, 3, 2.0, 0.5);
        AssertStep(ph, 10, DriftState.Drift, 4, 4.0, 6.0);
    }

    [Fact]
    public void Update_ShortDecrease_MatchesHandComputedMirroredSums()
    {
        // Same parameters; values 10, 9, 8, 1.
        // t  x   mean  x-mean  m_t    M_t    m-M   u_t    U_t   U-u
        // 1  10  10     0      -0.5   -0.5   0      0.5   0.5   0
        // 2  9   9.5   -0.5    -1.5   -1.5   0      0.5   0.5   0
        // 3  8   9     -1      -3     -3     0      0     0.5   0.5
        // 4  1   7     -6      -9.5   -9.5   0     -5.5   0.5   6   -> 6 > 5: Drift (decrease)
        var ph = new PageHinkley(minimumInstances: 2, delta: 0.5, threshold: 5, alpha: 1);

        AssertStep(ph, 10, DriftState.None, 1, 10.0, 0.0);
        AssertStep(ph, 9, DriftState.None, 2, 9.5, 0.0);
        AssertStep(ph, 8, DriftState.None, 3, 9.0, 0.5);
        AssertStep(ph, 1, DriftState.Drift, 4, 7.0, 6.0);
    }

    [Fact]
    public void Update_ForgettingFactor_FadesTheSumsNotTheMean()
    {
        // alpha = 0.5 on values 1, 2, 3, 10 (delta 0.5): m_1 = -0.5, m_2 = -0.25 + 0.5 - 0.5 = -0.25,
        // m_3 = -0.125 + 1 - 0.5 = 0.375, m_4 = 0.1875 + 6 - 0.5 = 5.6875; M = -0.5, so m - M = 0.875 then 6.1875.
        // The decrease sums u = 0.5, 1.25, 2.125, 7.5625 only rise, so their statistic stays 0. The mean is the plain
        // mean (4 after four values), as in River.
        var ph = new PageHinkley(minimumInstances: 2, delta: 0.5, threshold: 6.1, alpha: 0.5);

        AssertStep(ph, 1, DriftState.None, 1, 1.0, 0.0);
        AssertStep(ph, 2, DriftState.None, 2, 1.5, 0.25);
        AssertStep(ph, 3, DriftState.None, 3, 2.0, 0.875);
        AssertStep(ph, 10, DriftState.Drift, 4, 4.0, 6.1875);
    }

    [Theory]
    [InlineData(ChangeDirection.Up, DriftState.None, 0.0)]
    [InlineData(ChangeDirection.Down, DriftState.Drift, 6.0)]
    [InlineData(ChangeDirection.Both, DriftState.Drift, 6.0)]
    public void Update_ShortDecrease_OnlyDirectionsWatchingDecreasesSignal(
        ChangeDirection direction, DriftState expectedState, double expectedStatistic)
    {
        var ph = new PageHinkley(minimumInstances: 2, delta: 0.5, threshold: 5, alpha: 1, direction: direction);
        ph.Update(10);
        ph.Update(9);
        ph.Update(8);

        ph.Update(1).Should().Be(expectedState);
        ph.Statistic.Should().BeApproximately(expectedStatistic, 1e-12);
    }

    [Fact]
    public void Update_BelowMinimumInstances_NeverSignals()
    {
        // The hand sequence above drifts on its fourth value; with minimumInstances = 5 the same statistic is not tested.
        var ph = new PageHinkley(minimumInstances: 5, delta: 0.5, threshold: 5, alpha: 1);
        ph.Update(1);
        ph.Update(2);
        ph.Update(3);

        ph.Update(10).Should().Be(DriftState.None);
        ph.Statistic.Should().BeApproximately(6.0, 1e-12);
        ph.Update(10).Should().Be(DriftState.Drift, "the statistic is tested from the fifth value on");
    }

    public static TheoryData<string, ChangeDirection, int, double, double, double> ReferenceTraces => new()
    {
        { nameof(DriftReferenceData.PageHinkleyBoth300Steps), ChangeDirection.Both, 10, 0.1, 8.0, 0.99 },
        { nameof(DriftReferenceData.PageHinkleyUp300Steps), ChangeDirection.Up, 10, 0.1, 8.0, 0.99 },
        { nameof(DriftReferenceData.PageHinkleyDown300Steps), ChangeDirection.Down, 10, 0.1, 8.0, 0.99 },
        { nameof(DriftReferenceData.PageHinkleyDefaults300Steps), ChangeDirection.Both, 30, 0.005, 50.0, 1 - 1e-4 },
    };

    [Theory]
    [MemberData(nameof(ReferenceTraces))]
    public void Update_ShiftingSequence_MatchesReferenceTrace(
        string trace, ChangeDirection direction, int minimumInstances, double delta, double threshold, double alpha)
    {
        PageHinkleyStep[] steps = trace switch
        {
            nameof(DriftReferenceData.PageHinkleyBoth300Steps) => DriftReferenceData.PageHinkleyBoth300Steps,
            nameof(DriftReferenceData.PageHinkleyUp300Steps) => DriftReferenceData.PageHinkleyUp300Steps,
            nameof(DriftReferenceData.PageHinkleyDown300Steps) => DriftReferenceData.PageHinkleyDown300Steps,
            _ => DriftReferenceData.PageHinkleyDefaults300Steps,
        };
        double[] values = DriftReferenceData.PageHinkleyBoth300Values;
        var ph = new PageHinkley(minimumInstances, delta, threshold, alpha, direction);

        values.Should().HaveSameCount(steps);
        steps.Should().Contain(s => s.State == DriftState.Drift, "the trace must exercise a drift and the restart");
        for (int i = 0; i < values.Length; i++)
        {
            PageHinkleyStep expected = steps[i];
            ph.Update(values[i]).Should().Be(expected.State, "value {0}", i + 1);
            ph.State.Should().Be(expected.State);
            ph.Count.Should().Be(expected.Count, "value {0}", i + 1);
            ph.Mean.Should().BeApproximately(expected.Mean, 1e-12, "value {0}", i + 1);
            ph.Statistic.Should().BeApproximately(expected.Statistic, 1e-9, "value {0}", i + 1);
        }
    }

    [Fact]
    public void Update_StationaryNormalWithHalfSigmaDelta_NoDriftIn10000Values()
    {
        // N(0, 1) noise with delta = 0.5 (the classic CUSUM reference value for a one-sigma shift) and the default
        // threshold 50: each sum drifts away from the threshold by 0.5 per value, so an excursion of 50 has a chance of
        // about exp(-2 * delta * threshold / sigma^2) = exp(-50) (Wald's approximation). None of 10,000 simulated
        // streams alarmed in 2,000 values (PageHinkleyHalfSigmaShiftUpPreChangeAlarmRate).
        var normal = new Normal(0, 1, new Random(1954));
        var ph = new PageHinkley(delta: 0.5);
        for (int i = 0; i < 10_000; i++)
        {
            ph.Update(normal.Sample()).Should().Be(DriftState.None, "value {0} is stationary", i);
        }

        ph.Count.Should().Be(10_000);
        ph.Mean.Should().BeApproximately(0.0, 0.05);
    }

    [Fact]
    public void Update_StationaryNormalWithDefaults_FalseAlarmRateMatchesReference()
    {
        // The defaults (delta 0.005, threshold 50) suit low-noise streams: on N(0, 1) noise a share of
        // PageHinkleyStationaryFalseAlarmRate1000 (about 0.32) of simulated streams alarm within 1,000 values. Over 400
        // seeded streams the standard error is about 0.024, so +-0.1 is a four-sigma band.
        const int streams = 400;
        int alarmed = 0;
        for (int seed = 0; seed < streams; seed++)
        {
            var normal = new Normal(0, 1, new Random(seed));
            var ph = new PageHinkley();
            for (int i = 0; i < 1_000; i++)
            {
                if (ph.Update(normal.Sample()) == DriftState.Drift)
                {
                    alarmed++;
                    break;
                }
            }
        }

        ((double)alarmed / streams).Should().BeApproximately(DriftReferenceData.PageHinkleyStationaryFalseAlarmRate1000, 0.1);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(-2.0)]
    public void Update_AbruptShiftAt2000WithHalfSigmaDelta_DetectedAfterChangeWithin60Values(double shift)
    {
        // N(0, 1) for 2,000 values, then N(shift, 1). Over 10,000 simulated streams per direction none alarmed before the
        // change and the delay was between 18 and 48 values (PageHinkleyHalfSigmaShift*Delay*).
        var normal = new Normal(0, 1, new Random(2000));
        var ph = new PageHinkley(delta: 0.5);
        int detected = -1;
        for (int i = 0; i < 3_000; i++)
        {
            double x = normal.Sample() + (i < 2_000 ? 0.0 : shift);
            if (ph.Update(x) == DriftState.Drift)
            {
                detected = i;
                break;
            }
        }

        detected.Should().BeInRange(2_000, 2_060);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(-2.0)]
    public void Update_AbruptShiftAt2000WithDefaults_DetectedWithin100Values(double shift)
    {
        // With the defaults the detector also alarms (and restarts) on the N(0, 1) noise before the change; the first
        // drift at or after the change came within 100 values in more than 99% of 10,000 simulated streams
        // (PageHinkleyDefaultShift*DelayWithin100Rate).
        var normal = new Normal(0, 1, new Random(2001));
        var ph = new PageHinkley();
        int detected = -1;
        for (int i = 0; i < 3_000; i++)
        {
            double x = normal.Sample() + (i < 2_000 ? 0.0 : shift);
            if (ph.Update(x) == DriftState.Drift && i >= 2_000)
            {
                detected = i;
                break;
            }
        }

        detected.Should().BeInRange(2_000, 2_100);
    }

    [Fact]
    public void Update_DirectionUpOnDecrease_IgnoresItWhileDownDetectsIt()
    {
        // N(0, 1) then N(-2, 1) from value 2,000: no simulated stream alarmed in Up mode
        // (PageHinkleyHalfSigmaUpOnDecreaseAlarmRate), while the same stream in Down mode detects the decrease.
        var normal = new Normal(0, 1, new Random(3));
        var up = new PageHinkley(delta: 0.5, direction: ChangeDirection.Up);
        var down = new PageHinkley(delta: 0.5, direction: ChangeDirection.Down);
        int downDetected = -1;
        for (int i = 0; i < 3_000; i++)
        {
            double x = normal.Sample() + (i < 2_000 ? 0.0 : -2.0);
            up.Update(x).Should().Be(DriftState.None, "value {0}", i);
            if (down.Update(x) == DriftState.Drift && downDetected < 0)
            {
                downDetected = i;
            }
        }

        downDetected.Should().BeInRange(2_000, 2_060);
        up.Count.Should().Be(3_000);
    }

    [Fact]
    public void Update_AfterDrift_StartsFreshStatisticWithNextValue()
    {
        var ph = new PageHinkley(minimumInstances: 2, delta: 0.5, threshold: 5, alpha: 1);
        ph.Update(1);
        ph.Update(2);
        ph.Update(3);
        ph.Update(10).Should().Be(DriftState.Drift);
        ph.Count.Should().Be(4, "the state that raised the drift stays readable until the next update");
        ph.Mean.Should().Be(4.0);

        AssertStep(ph, 7, DriftState.None, 1, 7.0, 0.0);
        AssertStep(ph, 8, DriftState.None, 2, 7.5, 0.0);
    }

    [Fact]
    public void Reset_AfterValues_ClearsEverything()
    {
        var ph = new PageHinkley(minimumInstances: 2, delta: 0.5, threshold: 5, alpha: 1);
        ph.Update(1);
        ph.Update(2);
        ph.Update(3);
        ph.Update(10);
        ph.State.Should().Be(DriftState.Drift);

        ph.Reset();

        ph.State.Should().Be(DriftState.None);
        ph.Count.Should().Be(0);
        ph.Mean.Should().Be(0.0);
        ph.Statistic.Should().Be(0.0);
        AssertStep(ph, 1, DriftState.None, 1, 1.0, 0.0);
        AssertStep(ph, 2, DriftState.None, 2, 1.5, 0.0);
        AssertStep(ph, 3, DriftState.None, 3, 2.0, 0.5);
        AssertStep(ph, 10, DriftState.Drift, 4, 4.0, 6.0);
    }

    [Fact]
    public void Update_SteadyState_DoesNotAllocate()
    {
        var ph = new PageHinkley();

        var allocated = Allocations.OnCurrentThread(() =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                ph.Update(i % 10);
            }
        });

        allocated.Should().Be(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Constructor_MinimumInstancesBelowOne_Throws(int minimumInstances)
    {
        Action act = () => _ = new PageHinkley(minimumInstances: minimumInstances);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "minimumInstances")
            .WithMessage("*minimum number of instances must be at least 1*");
    }

    [Theory]
    [InlineData(-0.001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_DeltaNegativeOrNotFinite_Throws(double delta)
    {
        Action act = () => _ = new PageHinkley(delta: delta);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "delta")
            .WithMessage("*Delta must be a finite number greater than or equal to 0*");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-50.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_ThresholdNotPositiveFinite_Throws(double threshold)
    {
        Action act = () => _ = new PageHinkley(threshold: threshold);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "threshold")
            .WithMessage("*threshold must be a finite number greater than 0*");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.0001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_AlphaOutsideZeroToOne_Throws(double alpha)
    {
        Action act = () => _ = new PageHinkley(alpha: alpha);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "alpha")
            .WithMessage("*Alpha*must be greater than 0 and at most 1*");
    }

    [Fact]
    public void Constructor_AlphaOne_IsAccepted()
    {
        new PageHinkley(alpha: 1.0).Alpha.Should().Be(1.0);
    }

    [Fact]
    public void Constructor_UndefinedDirection_Throws()
    {
        Action act = () => _ = new PageHinkley(direction: (ChangeDirection)7);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "direction")
            .WithMessage("*direction must be Up, Down or Both*");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Update_NotFinite_ThrowsAndKeepsState(double value)
    {
        var ph = new PageHinkley();
        ph.Update(2);

        Action act = () => ph.Update(value);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "value")
            .WithMessage("*must not be NaN or infinite*");
        ph.Count.Should().Be(1);
        ph.Mean.Should().Be(2.0);
    }

    private static void AssertStep(PageHinkley ph, double value, DriftState state, long count, double mean, double statistic)
    {
        ph.Update(value).Should().Be(state, "value {0}", value);
        ph.State.Should().Be(state);
        ph.Count.Should().Be(count);
        ph.Mean.Should().BeApproximately(mean, 1e-12);
        ph.Statistic.Should().BeApproximately(statistic, 1e-12);
    }

    [Fact]
    public void Restore_MidStream_ReplaysTheRestIdentically()
    {
        var random = new Random(11);
        var stream = Enumerable.Range(0, 4_000).Select(i => (i < 2_000 ? 0.0 : 3.0) + random.NextDouble()).ToArray();
        DetectorSnapshots.AssertReplayIdentical(() => new PageHinkley(delta: 0.5), stream, splitAt: 1_000);
    }

    [Fact]
    public void Restore_OtherParameters_IsRefusedAndKeepsState()
    {
        var source = new PageHinkley(direction: ChangeDirection.Up);
        var other = new PageHinkley();
        other.Update(2.5);
        DetectorSnapshots.AssertOtherParametersRefused(source, other, nameof(PageHinkley.Direction));
    }

    [Fact]
    public void Restore_CorruptOrForeignSnapshot_IsRefused() =>
        DetectorSnapshots.AssertCorruptRefused(new PageHinkley(), new Ddm());
}
