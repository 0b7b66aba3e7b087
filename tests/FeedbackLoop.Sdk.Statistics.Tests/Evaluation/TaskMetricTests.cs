using System.Text.Json;
using FeedbackLoop.Evaluation;
using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.Evaluation;

/// <summary>
/// <see cref="Metric"/> on labels and outputs of every task against Reference/task_metrics.json, written by
/// Reference/make_task_metrics.py with scikit-learn 1.2.1.
/// </summary>
public sealed class TaskMetricTests
{
    private const double Tolerance = 1e-12;

    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Reference", "task_metrics.json")));
        return [.. json.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    });

    public static TheoryData<string> CaseNames() => [.. Cases.Value.Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Compute_EveryExpectedMetric_MatchesScikitLearn(string name)
    {
        var c = Cases.Value.Single(e => e.GetProperty("name").GetString() == name);
        var (task, actual, predicted) = Read(c);
        double[] weights = c.TryGetProperty("weights", out var w) ? Doubles(w) : [];

        foreach (var expected in c.GetProperty("expected").EnumerateObject())
        {
            var metric = Metric.All.Single(m => m.Name == expected.Name);
            var value = expected.Value.GetDouble();

            metric.Supports(task.Kind).Should().BeTrue();
            metric.UndefinedReason(task, actual, predicted, weights).Should().BeNull();
            metric.Compute(task, actual, predicted, weights).Should().BeApproximately(value, Tolerance * Math.Max(1.0, Math.Abs(value)), $"{name}: {metric}");
        }
    }

    [Fact]
    public void Compute_BinaryThroughLabelsAndOutputs_EqualsTheColumnForm()
    {
        var c = Cases.Value.Single(e => e.GetProperty("name").GetString() == "binary");
        var (task, actual, predicted) = Read(c);
        var truth = actual.Select(l => l.AsBoolean()).ToArray();
        var labels = predicted.Select(o => o.Label.AsBoolean()).ToArray();
        var scores = predicted.Select(o => o.Score).ToArray();

        foreach (var metric in Metric.All.Where(m => m.Supports(ModelTaskKind.Binary)))
        {
            metric.Compute(task, actual, predicted).Should().Be(metric.Compute(truth, labels, scores), metric.Name);
        }
    }

    [Fact]
    public void Supports_FollowsEachMetricsTasks()
    {
        Metric[] classification = [Metric.Accuracy, Metric.BalancedAccuracy, Metric.MacroF1, Metric.MatthewsCorrelation, Metric.LogLoss];
        Metric[] regression = [Metric.MeanAbsoluteError, Metric.MeanSquaredError, Metric.RootMeanSquaredError, Metric.R2];

        Metric.All.Where(m => m.Supports(ModelTaskKind.Multiclass)).Should().BeEquivalentTo(classification);
        Metric.All.Where(m => m.Supports(ModelTaskKind.Regression)).Should().BeEquivalentTo(regression);
        Metric.All.Where(m => m.Supports(ModelTaskKind.Binary)).Should().HaveCount(Metric.All.Count - regression.Length);
        regression.Select(m => m.HigherIsBetter).Should().Equal(false, false, false, true);
        Metric.All.Select(m => m.Name).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Compute_TaskTheMetricDoesNotMeasure_ThrowsNamingBoth()
    {
        Label[] actual = [Label.Numeric(1), Label.Numeric(2)];
        PredictionOutput[] predicted = [PredictionOutput.Regression(1), PredictionOutput.Regression(3)];

        FluentActions.Invoking(() => Metric.RocAuc.Compute(ModelTask.Regression, actual, predicted))
            .Should().Throw<ArgumentException>().WithMessage("roc_auc does not measure Regression models*");
        FluentActions.Invoking(() => Metric.R2.Compute([true], [true], []))
            .Should().Throw<InvalidOperationException>().WithMessage("r2 does not measure binary models.");
    }

    [Fact]
    public void Compute_LabelsOrOutputsOutsideTheTask_ThrowNamingTheExample()
    {
        var task = ModelTask.Multiclass("a", "b", "c");
        Label[] actual = [Label.Categorical("a"), Label.Categorical("d")];
        PredictionOutput[] predicted = [PredictionOutput.FromLabel(Label.Categorical("a")), PredictionOutput.FromLabel(Label.Categorical("b"))];

        FluentActions.Invoking(() => Metric.Accuracy.Compute(task, actual, predicted))
            .Should().Throw<ArgumentException>().WithMessage("actual[1]: the class 'd' is not one of the task's classes*");
        FluentActions.Invoking(() => Metric.MeanAbsoluteError.Compute(ModelTask.Regression, [Label.Numeric(1)], [PredictionOutput.FromLabel(true)]))
            .Should().Throw<ArgumentException>().WithMessage("predicted[0]: a regression task takes Numeric labels, not Binary*");
        FluentActions.Invoking(() => Metric.Accuracy.Compute(task, actual, predicted.AsSpan(0, 1)))
            .Should().Throw<ArgumentException>().WithMessage("*2 elements*1*");
        FluentActions.Invoking(() => Metric.Accuracy.Compute(task, [], []))
            .Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Compute_ScoreMetricOnOutputsWithoutProbabilities_RefusesInsteadOfReadingLabels()
    {
        var task = ModelTask.Multiclass("a", "b");
        Label[] actual = [Label.Categorical("a"), Label.Categorical("b")];
        PredictionOutput[] predicted = [PredictionOutput.Multiclass(task, [0.7, 0.3]), PredictionOutput.FromLabel(Label.Categorical("b"))];

        FluentActions.Invoking(() => Metric.LogLoss.Compute(task, actual, predicted))
            .Should().Throw<ArgumentException>().WithMessage("predicted[1] carries no score or probabilities, and log_loss reads them*");
        Metric.Accuracy.Compute(task, actual, predicted).Should().Be(1.0);
        FluentActions.Invoking(() => Metric.RocAuc.Compute(ModelTask.Binary, [true, false], [PredictionOutput.Binary(0.8), PredictionOutput.FromLabel(false)]))
            .Should().Throw<ArgumentException>().WithMessage("predicted[1] carries no score*");
    }

    [Fact]
    public void UndefinedReason_SaysWhyPerTask()
    {
        Metric.R2.UndefinedReason(ModelTask.Regression, [Label.Numeric(1)], [PredictionOutput.Regression(1)]).Should().Be("fewer than two examples");
        Metric.Recall.UndefinedReason(ModelTask.Binary, [false, false], [PredictionOutput.Binary(0.9), PredictionOutput.Binary(0.1)])
            .Should().Be("no positive examples");
        Metric.MacroF1.UndefinedReason(ModelTask.Multiclass("a", "b"), [Label.Categorical("a")], [PredictionOutput.FromLabel(Label.Categorical("b"))])
            .Should().BeNull();
    }

    [Fact]
    public void UndefinedReason_ChecksLikeCompute()
    {
        var task = ModelTask.Multiclass("a", "b");

        FluentActions.Invoking(() => Metric.Precision.UndefinedReason(task, [Label.Categorical("a")], [PredictionOutput.FromLabel(Label.Categorical("a"))]))
            .Should().Throw<ArgumentException>().WithMessage("precision does not measure Multiclass models*");
        FluentActions.Invoking(() => Metric.Accuracy.UndefinedReason(task, [Label.Categorical("z")], [PredictionOutput.FromLabel(Label.Categorical("a"))]))
            .Should().Throw<ArgumentException>().WithMessage("actual[0]: the class 'z'*");
        FluentActions.Invoking(() => Metric.R2.UndefinedReason(ModelTask.Regression, [], []))
            .Should().Throw<ArgumentException>();
    }

    private static (ModelTask Task, Label[] Actual, PredictionOutput[] Predicted) Read(JsonElement c)
    {
        switch (c.GetProperty("task").GetString())
        {
            case "multiclass":
                var task = ModelTask.Multiclass(c.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!));
                var classes = task.Classes.Count;
                var probabilities = Doubles(c.GetProperty("probabilities"));
                var actual = c.GetProperty("actual").EnumerateArray().Select(e => Label.Categorical(task.Classes[e.GetInt32()])).ToArray();
                var predicted = Enumerable.Range(0, actual.Length)
                    .Select(i => PredictionOutput.Multiclass(task, probabilities.AsSpan(i * classes, classes)))
                    .ToArray();
                predicted.Select(o => task.IndexOf(o.Label.AsCategory())).Should().Equal(
                    c.GetProperty("predicted").EnumerateArray().Select(e => e.GetInt32()), "the factory picks numpy's argmax");
                return (task, actual, predicted);
            case "regression":
                return (
                    ModelTask.Regression,
                    [.. Doubles(c.GetProperty("actual")).Select(Label.Numeric)],
                    [.. Doubles(c.GetProperty("predicted")).Select(PredictionOutput.Regression)]);
            default:
                return (
                    ModelTask.Binary,
                    [.. c.GetProperty("actual").EnumerateArray().Select(e => Label.Binary(e.GetInt32() == 1))],
                    [.. Doubles(c.GetProperty("probabilities")).Select(p => PredictionOutput.Binary(p))]);
        }
    }

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];
}
