using System.Text.Json;
using FeedbackLoop.Drift;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Drift;

/// <summary>The golden cases of Reference/two_sample_reference.json, written by Reference/make_two_sample_reference.py (scipy 1.10.1).</summary>
internal static class TwoSampleReference
{
    private static readonly Lazy<IReadOnlyList<Case>> Loaded = new(Load);

    public static IReadOnlyList<Case> Cases => Loaded.Value;

    public static IEnumerable<object[]> CaseIndexes(string methodPrefix) =>
        Cases.Select((c, i) => (c, i)).Where(x => x.c.Method.StartsWith(methodPrefix, StringComparison.Ordinal)).Select(x => new object[] { x.i, x.c.Name, x.c.Method });

    /// <summary>The test a method string of the script names.</summary>
    public static ITwoSampleTest Create(string method)
    {
        string[] parts = method.Split(':');
        DistributionBinning? binning = parts.Length == 1 ? null
            : parts[1] == "cat" ? DistributionBinning.Categories
            : DistributionBinning.QuantileBins(int.Parse(parts[1][1..], System.Globalization.CultureInfo.InvariantCulture));
        return parts[0] switch
        {
            "ks" => new KolmogorovSmirnovTest(),
            "mannwhitneyu" => new MannWhitneyUTest(),
            "cramervonmises" => new CramerVonMisesTest(),
            "anderson_ksamp" => new AndersonDarlingTest(),
            "wasserstein" => new WassersteinDistance(normed: false),
            "wasserstein_normed" => new WassersteinDistance(),
            "energy" => new EnergyDistance(),
            "psi" => new PopulationStabilityIndex(binning),
            "kl_div" => new KullbackLeiblerDivergence(binning),
            "jensenshannon" => new JensenShannonDistance(binning),
            "jensenshannon2" => new JensenShannonDistance(binning, logarithmBase: 2),
            "hellinger" => new HellingerDistance(binning),
            "tvd" => new TotalVariationDistance(binning),
            "linf" => new LInfinityDistance(binning),
            "chisquare" => new ChiSquareTest(),
            "g-test" => new GTest(),
            "z" => new ProportionZTest(),
            "fisher" => new FisherExactTest(),
            _ => throw new ArgumentException($"Unknown method {method}.", nameof(method)),
        };
    }

    /// <summary>Regenerates the benchmark's SplitMix64 sample: value i is scale · u_i + shift.</summary>
    public static double[] Generate(ulong seed, int count, double scale, double shift)
    {
        var random = new SplitMix64(seed);
        var values = new double[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (scale * random.NextDouble()) + shift;
        }

        return values;
    }

    private static List<Case> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "two_sample_reference.json");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(path));
        return json.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("name").GetString()!,
            c.GetProperty("method").GetString()!,
            Sample(c.GetProperty("reference")),
            Sample(c.GetProperty("current")),
            Number(c.GetProperty("statistic")),
            c.GetProperty("pvalue").ValueKind == JsonValueKind.Null ? null : Number(c.GetProperty("pvalue")))).ToList();
    }

    private static double[] Sample(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array
            ? element.EnumerateArray().Select(v => v.GetDouble()).ToArray()
            : Generate(
                element.GetProperty("seed").GetUInt64(),
                element.GetProperty("n").GetInt32(),
                element.GetProperty("scale").GetDouble(),
                element.GetProperty("shift").GetDouble());

    // The script writes NaN and infinities as the strings "NaN", "Infinity" and "-Infinity".
    private static double Number(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetDouble() : double.Parse(element.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    internal sealed record Case(string Name, string Method, double[] Reference, double[] Current, double Statistic, double? PValue);
}
