using FeedbackLoop.Learning;
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
        Task = stream.Task;
        History = [.. stream.Take(options.History)];
        Samples = [.. stream.Take(options.Predictions)];
        var budget = new Random(options.Seed);
        Labelled = [.. Samples.Select(_ => budget.NextDouble() < options.LabelBudget)];
        DriftPoints = [.. stream.DriftPoints.Select(p => p - options.History).Where(p => p > 0 && p < options.Predictions)];
    }

    public PrequentialOptions Options { get; }

    public FeatureSchema Schema { get; }

    public ModelTask Task { get; }

    public IReadOnlyList<LabelledSample> History { get; }

    public IReadOnlyList<LabelledSample> Samples { get; }

    public IReadOnlyList<bool> Labelled { get; }

    public IReadOnlyList<long> DriftPoints { get; }

    /// <summary>The built-in learner of a task, the one a loop trains when no trainer is named.</summary>
    public static IModelTrainer BuiltInLearner(ModelTask task) => task.Kind switch
    {
        ModelTaskKind.Multiclass => Learners.SoftmaxRegression(),
        ModelTaskKind.Regression => Learners.RidgeRegression(),
        _ => Learners.LogisticRegression(),
    };

    /// <summary>
    /// The score of one prediction (see <see cref="PrequentialRun.Scores"/>): 1 for a right class and 0 for a wrong one,
    /// the absolute error for a regression.
    /// </summary>
    public double Score(PredictionOutput output, LabelledSample sample) => Task.Kind == ModelTaskKind.Regression
        ? Math.Abs(output.Value - sample.Label.AsDouble())
        : output.Label == sample.Label ? 1.0 : 0.0;

    /// <summary>The labelled rows of some samples, for a trainer or a loop's seed.</summary>
    public TrainingSet ToTrainingSet(IEnumerable<LabelledSample> rows, string source)
    {
        var set = TrainingSet.CreateBuilder(Schema, Task);
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
