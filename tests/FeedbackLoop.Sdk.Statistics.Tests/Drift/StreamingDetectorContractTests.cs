using FeedbackLoop.Drift;
using FeedbackLoop.Numerics;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Drift;

// What every new streaming detector promises, checked on the same seeded streams: exact replay after a snapshot,
// refusal of foreign or mismatched snapshots, refusal of NaN and infinities without losing state, Reset, and no
// allocation per update.
public sealed class StreamingDetectorContractTests
{
    public static TheoryData<string> Detectors => new(["Adwin", "Cusum", "Eddm", "HddmA", "HddmW", "HddmW-two-sided", "Kswin"]);

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Restore_MidStream_ReplaysTheRestIdentically(string name) =>
        DetectorSnapshots.AssertReplayIdentical(() => Create(name), ShiftingErrors(seed: 21), splitAt: 2_345);

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Restore_CorruptOrForeignSnapshot_IsRefused(string name) =>
        DetectorSnapshots.AssertCorruptRefused(Create(name), new Ddm());

    [Fact]
    public void Restore_OtherParameters_IsRefusedNamingTheParameter()
    {
        DetectorSnapshots.AssertOtherParametersRefused(new Adwin(delta: 0.01), Feed(new Adwin(), 100), nameof(Adwin.Delta));
        DetectorSnapshots.AssertOtherParametersRefused(new Cusum(threshold: 10), Feed(new Cusum(), 100), nameof(Cusum.Threshold));
        DetectorSnapshots.AssertOtherParametersRefused(new Eddm(driftThreshold: 0.8), Feed(new Eddm(), 100), nameof(Eddm.DriftThreshold));
        DetectorSnapshots.AssertOtherParametersRefused(new HddmA(twoSided: true), Feed(new HddmA(), 100), nameof(HddmA.TwoSided));
        DetectorSnapshots.AssertOtherParametersRefused(new HddmW(lambda: 0.1), Feed(new HddmW(), 100), nameof(HddmW.Lambda));
        DetectorSnapshots.AssertOtherParametersRefused(new Kswin(seed: 1), Feed(new Kswin(), 200), nameof(Kswin.Seed));
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_NaNOrInfinity_ThrowsAndKeepsState(string name)
    {
        IRestorableDriftDetector detector = Feed(Create(name), 500);
        byte[] before = detector.Snapshot().ToBytes();

        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            Action act = () => detector.Update(bad);
            act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        }

        detector.Snapshot().ToBytes().Should().Equal(before);
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Reset_AfterValues_GivesAFreshDetector(string name)
    {
        IRestorableDriftDetector detector = Feed(Create(name), 3_000);

        detector.Reset();

        detector.State.Should().Be(DriftState.None);
        detector.Snapshot().ToBytes().Should().Equal(Create(name).Snapshot().ToBytes());
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_SteadyState_DoesNotAllocate(string name)
    {
        IRestorableDriftDetector detector = Create(name);
        double[] stream = ShiftingErrors(seed: 22);

        long allocated = Allocations.OnCurrentThread(() =>
        {
            foreach (double value in stream)
            {
                detector.Update(value);
            }
        });

        allocated.Should().Be(0);
    }

    // Batches: the detectors that override UpdateUntilDrift (Cusum, PageHinkley) and some that use the interface's
    // default, each set so that the shifting stream raises drifts.
    public static TheoryData<string> BatchDetectors => new(["Cusum", "PageHinkley", "Ddm", "Adwin", "Kswin"]);

    [Theory]
    [MemberData(nameof(BatchDetectors))]
    public void UpdateUntilDrift_InBatchesOfAnySize_GivesTheSameDriftsAndStateAsOneAtATime(string name)
    {
        double[] stream = ShiftingErrors(seed: 24);
        IRestorableDriftDetector single = Create(name);
        var expected = new List<int>();
        for (int i = 0; i < stream.Length; i++)
        {
            if (single.Update(stream[i]) == DriftState.Drift)
            {
                expected.Add(i);
            }
        }

        expected.Should().NotBeEmpty("the stream must raise drifts for the comparison to mean anything");
        foreach (int batchSize in new[] { 1, 7, 64, 1_000, stream.Length })
        {
            IRestorableDriftDetector batched = Create(name);
            var drifts = new List<int>();
            for (int start = 0; start < stream.Length; start += batchSize)
            {
                int position = start;
                ReadOnlySpan<double> rest = stream.AsSpan(start, Math.Min(batchSize, stream.Length - start));
                while (!rest.IsEmpty)
                {
                    int added = batched.UpdateUntilDrift(rest);
                    added.Should().BeInRange(1, rest.Length);
                    position += added;
                    rest = rest[added..];
                    if (batched.State == DriftState.Drift)
                    {
                        drifts.Add(position - 1);
                    }
                }
            }

            drifts.Should().Equal(expected, $"batches of {batchSize} must raise the drifts of one-at-a-time updates");
            batched.Snapshot().ToBytes().Should().Equal(single.Snapshot().ToBytes());
        }
    }

    [Theory]
    [MemberData(nameof(BatchDetectors))]
    public void UpdateUntilDrift_NonFiniteValueInBatch_AddsTheValuesBeforeItThenThrows(string name)
    {
        double[] values = ShiftingErrors(seed: 25).Take(40).ToArray();
        IRestorableDriftDetector expected = Feed(Create(name), 200);
        foreach (double value in values[..25])
        {
            expected.Update(value);
        }

        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            IRestorableDriftDetector detector = Feed(Create(name), 200);
            double[] batch = values.ToArray();
            batch[25] = bad;

            Action act = () => detector.UpdateUntilDrift(batch);

            act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
            detector.Snapshot().ToBytes().Should().Equal(expected.Snapshot().ToBytes());
        }
    }

    [Theory]
    [MemberData(nameof(BatchDetectors))]
    public void UpdateUntilDrift_NonFiniteFirstValueAfterDrift_ThrowsAndKeepsTheDrift(string name)
    {
        IRestorableDriftDetector detector = Create(name);
        double[] stream = ShiftingErrors(seed: 24);
        int added = 0;
        while (detector.State != DriftState.Drift)
        {
            added += detector.UpdateUntilDrift(stream.AsSpan(added));
        }

        byte[] before = detector.Snapshot().ToBytes();

        Action act = () => detector.UpdateUntilDrift([double.NaN, 0.0]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        detector.State.Should().Be(DriftState.Drift);
        detector.Snapshot().ToBytes().Should().Equal(before);
    }

    [Theory]
    [MemberData(nameof(BatchDetectors))]
    public void UpdateUntilDrift_Empty_AddsNothing(string name)
    {
        IRestorableDriftDetector detector = Feed(Create(name), 300);
        byte[] before = detector.Snapshot().ToBytes();

        detector.UpdateUntilDrift([]).Should().Be(0);

        detector.Snapshot().ToBytes().Should().Equal(before);
    }

    [Theory]
    [InlineData("Cusum")]
    [InlineData("PageHinkley")]
    public void UpdateUntilDrift_SteadyState_DoesNotAllocate(string name)
    {
        IRestorableDriftDetector detector = Create(name);
        double[] stream = ShiftingErrors(seed: 22);

        long allocated = Allocations.OnCurrentThread(() =>
        {
            ReadOnlySpan<double> rest = stream;
            while (!rest.IsEmpty)
            {
                rest = rest[detector.UpdateUntilDrift(rest)..];
            }
        });

        allocated.Should().Be(0);
    }

    internal static IRestorableDriftDetector Create(string name) => name switch
    {
        "Adwin" => new Adwin(),
        "Cusum" => new Cusum(delta: 0.1, threshold: 5, direction: ChangeDirection.Both),
        "PageHinkley" => new PageHinkley(threshold: 5),
        "Ddm" => new Ddm(),
        "Eddm" => new Eddm(),
        "HddmA" => new HddmA(twoSided: true),
        "HddmW" => new HddmW(),
        "HddmW-two-sided" => new HddmW(twoSided: true),
        "Kswin" => new Kswin(seed: 5),
        _ => throw new ArgumentException($"Unknown detector {name}.", nameof(name)),
    };

    /// <summary>Error indicators at rate 0.1 for 3,000 values, then 0.4.</summary>
    internal static double[] ShiftingErrors(ulong seed)
    {
        var random = new SplitMix64(seed);
        return Enumerable.Range(0, 6_000).Select(i => random.NextDouble() < (i < 3_000 ? 0.1 : 0.4) ? 1.0 : 0.0).ToArray();
    }

    private static T Feed<T>(T detector, int count)
        where T : IDriftDetector
    {
        foreach (double value in ShiftingErrors(seed: 23).Take(count))
        {
            detector.Update(value);
        }

        return detector;
    }
}
