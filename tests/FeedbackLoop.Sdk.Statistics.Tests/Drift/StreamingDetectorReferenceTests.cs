using System.Text.Json;
using FeedbackLoop.Drift;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Drift;

// Traces from Reference/make_streaming_detectors_reference.py, which implements each detector from its published
// definition in the update order of MOA or River (see the script's header): every Warning and Drift, at the same
// index, on seeded SplitMix64 streams the test regenerates bit for bit.
public sealed class StreamingDetectorReferenceTests
{
    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "streaming_detectors_reference.json");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(path));
        return json.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    });

    public static TheoryData<int, string, string> CaseIndexes()
    {
        var data = new TheoryData<int, string, string>();
        for (int i = 0; i < Cases.Value.Length; i++)
        {
            data.Add(i, Cases.Value[i].GetProperty("detector").GetString()!, Cases.Value[i].GetProperty("stream").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Update_SeededStream_MatchesReferenceTrace(int index, string detectorName, string stream)
    {
        JsonElement golden = Cases.Value[index];
        IDriftDetector detector = Create(detectorName);
        double[] values = Generate(golden.GetProperty("spec"), golden.GetProperty("clamp").GetBoolean());

        var events = new List<(int Index, DriftState State)>();
        for (int i = 0; i < values.Length; i++)
        {
            DriftState state = detector.Update(values[i]);
            if (state != DriftState.None)
            {
                events.Add((i, state));
            }
        }

        var expected = golden.GetProperty("events").EnumerateArray().Select(e => (e[0].GetInt32(), (DriftState)e[1].GetInt32())).ToList();
        events.Should().Equal(expected, $"{detectorName} on {stream}");
        if (detector is Adwin adwin)
        {
            adwin.Width.Should().Be(golden.GetProperty("width").GetInt64());
            adwin.Mean.Should().BeApproximately(golden.GetProperty("mean").GetDouble(), 1e-12);
        }
    }

    [Fact]
    public void ReferenceFile_CoversEveryDetectorWithDrifts()
    {
        var names = Cases.Value.Select(c => c.GetProperty("detector").GetString()!.Split('(')[0]).Distinct();
        names.Should().BeEquivalentTo("Adwin", "Cusum", "Eddm", "HddmA", "HddmW", "Kswin");
        Cases.Value.Should().Contain(c => c.GetProperty("events").GetArrayLength() > 0);
    }

    private static IDriftDetector Create(string name) => name switch
    {
        "Adwin()" => new Adwin(),
        "Adwin(delta=0.05, clock=8)" => new Adwin(delta: 0.05, clock: 8),
        "Adwin(delta=0.05, clock=100, maximumBuckets=2)" => new Adwin(delta: 0.05, clock: 100, maximumBuckets: 2),
        "Cusum()" => new Cusum(),
        "Cusum(delta=0.1, threshold=5, direction=Both)" => new Cusum(delta: 0.1, threshold: 5, direction: ChangeDirection.Both),
        "Cusum(delta=0.1, threshold=5, direction=Down)" => new Cusum(delta: 0.1, threshold: 5, direction: ChangeDirection.Down),
        "Eddm()" => new Eddm(),
        "HddmA()" => new HddmA(),
        "HddmA(twoSided=true)" => new HddmA(twoSided: true),
        "HddmW()" => new HddmW(),
        "HddmW(twoSided=true)" => new HddmW(twoSided: true),
        "Kswin()" => new Kswin(),
        "Kswin(alpha=0.0001, seed=42)" => new Kswin(alpha: 0.0001, seed: 42),
        _ => throw new ArgumentException($"Unknown detector {name}.", nameof(name)),
    };

    private static double[] Generate(JsonElement spec, bool clamp)
    {
        var random = new SplitMix64(spec.GetProperty("seed").GetUInt64());
        int n = spec.GetProperty("n").GetInt32();
        int at = spec.GetProperty("at").GetInt32();
        bool errors = spec.GetProperty("kind").GetString() == "errors";
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble();
            values[i] = errors
                ? (u < spec.GetProperty(i < at ? "before" : "after").GetDouble() ? 1 : 0)
                : u + (i >= at ? spec.GetProperty("shift").GetDouble() : 0);
            if (clamp)
            {
                values[i] = Math.Clamp(values[i], 0, 1);
            }
        }

        return values;
    }
}
