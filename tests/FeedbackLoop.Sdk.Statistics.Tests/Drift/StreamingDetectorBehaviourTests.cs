using FeedbackLoop.Drift;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Drift;

// Stated behaviour of each detector with its default parameters on error streams (0/1 at a given rate), over 20
// seeded streams each: no false alarm on a stationary 10% error rate within 10,000 values, and a rise from 10% to 50%
// at value 2,000 caught within a stated delay. The delays are the worst of the 20 streams with a margin; the figures
// over 50 streams per scenario are the evaluation table of docs/drift-detectors.md.
public sealed class StreamingDetectorBehaviourTests
{
    public static TheoryData<string, int> QuietDetectorsAndDelays => new()
    {
        { "Adwin", 200 },
        { "Cusum", 250 },
        { "HddmA", 200 },
        { "HddmW", 200 },
        { "PageHinkley", 250 },
    };

    [Theory]
    [MemberData(nameof(QuietDetectorsAndDelays))]
    public void Update_StationaryErrorRate_RaisesNoDriftIn10000Values(string name, int delay)
    {
        _ = delay;
        for (ulong seed = 1; seed <= 20; seed++)
        {
            IDriftDetector detector = Create(name);
            Errors(seed, 10_000, rateAfter: 0.1).Select(detector.Update).Should().NotContain(DriftState.Drift, $"{name} on stream {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(QuietDetectorsAndDelays))]
    public void Update_ErrorRateRisesTo50Percent_IsCaughtWithinStatedDelay(string name, int delay)
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            double[] stream = Errors(seed, 2_000 + delay, rateAfter: 0.5);
            IDriftDetector detector = Create(name);
            int first = -1;
            for (int i = 0; i < stream.Length && first < 0; i++)
            {
                if (detector.Update(stream[i]) == DriftState.Drift)
                {
                    first = i;
                }
            }

            first.Should().BeInRange(2_000, 2_000 + delay - 1, $"{name} on stream {seed}");
        }
    }

    private static IDriftDetector Create(string name) => name switch
    {
        "Adwin" => new Adwin(),
        "Cusum" => new Cusum(),
        "HddmA" => new HddmA(),
        "HddmW" => new HddmW(),
        "PageHinkley" => new PageHinkley(),
        _ => throw new ArgumentException($"Unknown detector {name}.", nameof(name)),
    };

    private static double[] Errors(ulong seed, int length, double rateAfter)
    {
        var random = new SplitMix64(seed * 7919);
        return [.. Enumerable.Range(0, length).Select(i => random.NextDouble() < (i < 2_000 ? 0.1 : rateAfter) ? 1.0 : 0.0)];
    }
}
