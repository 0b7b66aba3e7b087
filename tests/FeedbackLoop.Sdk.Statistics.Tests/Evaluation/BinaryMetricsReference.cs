using System.Text.Json;

namespace FeedbackLoop.Tests.Evaluation;

/// <summary>The golden cases of Reference/binary_metrics.json, written by Reference/make_binary_metrics.py.</summary>
internal static class BinaryMetricsReference
{
    public static readonly string[] CaseNames =
    [
        "random_scores", "heavy_ties", "tiny_n2", "tiny_n3_tie", "unbalanced",
        "weighted", "weighted_ties", "extreme_probabilities", "large_100k",
    ];

    private static readonly Lazy<Document> Loaded = new(Load);

    public static Document Golden => Loaded.Value;

    public static IEnumerable<object[]> CaseNameData => CaseNames.Select(name => new object[] { name });

    public static Case Get(string name) => Golden.Cases.Single(c => c.Name == name);

    private static Document Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "binary_metrics.json");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = json.RootElement;
        var cases = new List<Case>();
        foreach (JsonElement c in root.GetProperty("cases").EnumerateArray())
        {
            double[] probabilities = Doubles(c.GetProperty("probabilities"));
            JsonElement expected = c.GetProperty("expected");
            cases.Add(new Case(
                c.GetProperty("name").GetString()!,
                Bits(c.GetProperty("actual").GetString()!),
                Bits(c.GetProperty("predicted").GetString()!),
                probabilities,
                c.TryGetProperty("scores", out JsonElement scores) ? Doubles(scores) : probabilities,
                c.TryGetProperty("weights", out JsonElement weights) ? Doubles(weights) : null,
                expected.GetProperty("accuracy").GetDouble(),
                expected.GetProperty("roc_auc").GetDouble(),
                expected.GetProperty("log_loss").GetDouble(),
                expected.GetProperty("brier_score").GetDouble()));
        }

        return new Document(
            root.GetProperty("sklearn").GetString()!,
            root.GetProperty("numpy").GetString()!,
            root.GetProperty("log_loss_eps").GetDouble(),
            cases);
    }

    private static bool[] Bits(string text)
    {
        var result = new bool[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            result[i] = text[i] switch
            {
                '1' => true,
                '0' => false,
                _ => throw new InvalidDataException($"Bad label character '{text[i]}' at {i}."),
            };
        }

        return result;
    }

    private static double[] Doubles(JsonElement array)
    {
        var result = new double[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement value in array.EnumerateArray())
        {
            result[i++] = value.GetDouble();
        }

        return result;
    }

    internal sealed record Document(string Sklearn, string Numpy, double LogLossEps, IReadOnlyList<Case> Cases);

    internal sealed record Case(
        string Name,
        bool[] Actual,
        bool[] Predicted,
        double[] Probabilities,
        double[] Scores,
        double[]? Weights,
        double Accuracy,
        double RocAuc,
        double LogLoss,
        double BrierScore)
    {
        public override string ToString() => Name;
    }
}
