using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation.Prequential;

/// <summary>
/// The samples every strategy of one comparison sees, drawn once: the history, the replayed samples, which of them get
/// a label, and the drift points in replay order (0-based prediction indexes).
/// </summary>
internal sealed class PrequentialReplay
{
    public PrequentialReplay(IDriftingStream stream, PrequentialOptions options)
    {
        Options = options;
        Schema = stream.Schema;
        History = [.. stream.Take(options.History)];
        Samples = [.. stream.Take(options.Predictions)];
        var budget = new Random(options.Seed);
        Labelled = [.. Samples.Select(_ => budget.NextDouble() < options.LabelBudget)];
        DriftPoints = [.. stream.DriftPoints.Select(p => p - options.History).Where(p => p > 0 && p < options.Predictions)];
    }

    public PrequentialOptions Options { get; }

    public FeatureSchema Schema { get; }

    public IReadOnlyList<LabelledSample> History { get; }

    public IReadOnlyList<LabelledSample> Samples { get; }

    public IReadOnlyList<bool> Labelled { get; }

    public IReadOnlyList<long> DriftPoints { get; }

    /// <summary>The labelled rows of some samples, for a trainer or a loop's seed.</summary>
    public TrainingSet ToTrainingSet(IEnumerable<LabelledSample> rows, string source)
    {
        var set = TrainingSet.CreateBuilder(Schema, ModelTask.Binary);
        foreach (var row in rows)
        {
            set.Add(row.Features, row.Label, source: source);
        }

        return set.Build();
    }

    /// <summary>The prediction whose label arrives right after prediction <paramref name="step"/>, or -1 for none.</summary>
    public int LabelArrivingAfter(int step)
    {
        var labelled = step - Options.LabelDelay;
        return labelled >= 0 && Labelled[labelled] ? labelled : -1;
    }
}
