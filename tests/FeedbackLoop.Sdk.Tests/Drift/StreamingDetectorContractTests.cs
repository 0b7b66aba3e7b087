using FeedbackLoop.Drift;
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

    internal static IRestorableDriftDetector Create(string name) => name switch
    {
        "Adwin" => new Adwin(),
        "Cusum" => new Cusum(delta: 0.1, threshold: 5, direction: ChangeDirection.Both),
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
