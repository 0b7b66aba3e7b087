using FeedbackLoop.Evaluation;
using FeedbackLoop.Evaluation.Groups;

namespace FeedbackLoop.Tests.Evaluation;

// Definitions under test: Fairlearn's MetricFrame (group_min, group_max, difference and ratio between groups and to
// overall) and fairlearn.metrics' demographic parity and equalized odds (Hardt, Price and Srebro 2016), on groups whose
// confusion matrices are built by hand.
public sealed class GroupedEvaluationTests
{
    private static readonly GroupedEvaluationOptions NoBootstrap = new() { Resamples = 0 };

    [Fact]
    public void Evaluate_HandBuiltGroups_GivesFairlearnsDisparitiesAndFairnessMeasures()
    {
        // Group a: 20 positives (16 predicted positive), 20 negatives (4 predicted positive): selection 0.5, TPR 0.8, FPR 0.2.
        // Group b: 20 positives (10 predicted positive), 20 negatives (0 predicted positive): selection 0.25, TPR 0.5, FPR 0.
        Batch batch = new Batch().Add("a", positives: 20, truePositives: 16, negatives: 20, falsePositives: 4)
            .Add("b", positives: 20, truePositives: 10, negatives: 20, falsePositives: 0);

        GroupedEvaluation result = batch.Evaluate([Metric.Accuracy, Metric.Recall], NoBootstrap);

        result.Groups.Should().Equal("a", "b");
        result.Result("a", Metric.Accuracy).Estimate!.Value.Value.Should().BeApproximately(32.0 / 40, 1e-15);
        result.Result("b", Metric.Accuracy).Estimate!.Value.Value.Should().BeApproximately(30.0 / 40, 1e-15);
        result.Overall(Metric.Accuracy)!.Value.Value.Should().BeApproximately(62.0 / 80, 1e-15);

        GroupDisparity recall = result.Disparity(Metric.Recall);
        recall.Minimum!.Value.Value.Should().BeApproximately(0.5, 1e-15);
        recall.Maximum!.Value.Value.Should().BeApproximately(0.8, 1e-15);
        recall.Difference!.Value.Value.Should().BeApproximately(0.3, 1e-15);
        recall.Ratio!.Value.Value.Should().BeApproximately(0.625, 1e-15);
        recall.DifferenceToOverall!.Value.Value.Should().BeApproximately(0.15, 1e-15, "overall recall is 26/40 = 0.65");
        recall.RatioToOverall!.Value.Value.Should().BeApproximately(0.5 / 0.65, 1e-15);

        result.Fairness.DemographicParityDifference!.Value.Value.Should().BeApproximately(0.25, 1e-15);
        result.Fairness.DemographicParityRatio!.Value.Value.Should().BeApproximately(0.5, 1e-15);
        result.Fairness.EqualizedOddsDifference!.Value.Value.Should().BeApproximately(0.3, 1e-15, "max(TPR gap 0.3, FPR gap 0.2)");
        result.Fairness.EqualizedOddsRatio!.Value.Value.Should().Be(0, "min(TPR ratio 0.625, FPR ratio 0 / 0.2)");
        result.Fairness.EqualOpportunityDifference!.Value.Value.Should().BeApproximately(0.3, 1e-15);
    }

    [Fact]
    public void Evaluate_GroupBelowTheMinimumSize_IsReportedAsTooSmallAndLeftOutOfTheDisparities()
    {
        Batch batch = new Batch().Add("a", 20, 16, 20, 4).Add("b", 20, 10, 20, 0).Add("tiny", 2, 0, 2, 2);

        GroupedEvaluation result = batch.Evaluate([Metric.Accuracy], NoBootstrap);

        GroupMetricResult tiny = result.Result("tiny", Metric.Accuracy);
        tiny.Status.Should().Be(GroupMetricStatus.TooSmall);
        tiny.Estimate.Should().BeNull();
        tiny.Reason.Should().Contain("4 examples").And.Contain("30");
        result.GroupSizes["tiny"].Should().Be(4);
        result.Disparity(Metric.Accuracy).Minimum!.Value.Value.Should().BeApproximately(0.75, 1e-15, "the tiny group's accuracy of 0 is not judged");
        result.Fairness.DemographicParityDifference!.Value.Value.Should().BeApproximately(0.25, 1e-15);
    }

    [Fact]
    public void Evaluate_GroupWithoutPositives_ReportsRecallAsUndefinedNotZero()
    {
        Batch batch = new Batch().Add("a", 20, 16, 20, 4).Add("b", 20, 10, 20, 0).Add("negatives-only", 0, 0, 40, 8);

        GroupedEvaluation result = batch.Evaluate([Metric.Recall, Metric.Accuracy], NoBootstrap);

        GroupMetricResult recall = result.Result("negatives-only", Metric.Recall);
        recall.Status.Should().Be(GroupMetricStatus.Undefined);
        recall.Reason.Should().Be("no positive examples");
        result.Result("negatives-only", Metric.Accuracy).Estimate!.Value.Value.Should().BeApproximately(0.8, 1e-15);
        result.Disparity(Metric.Recall).Minimum!.Value.Value.Should().BeApproximately(0.5, 1e-15);
        result.Fairness.EqualOpportunityDifference!.Value.Value.Should().BeApproximately(0.3, 1e-15, "the group without positives has no TPR to compare");
        result.Fairness.DemographicParityDifference!.Value.Value.Should().BeApproximately(0.3, 1e-15, "its selection rate 0.2 is defined");
    }

    [Fact]
    public void Evaluate_MetricUndefinedOnTheWholeBatch_IsReportedNotThrown()
    {
        GroupedEvaluation result = new Batch().Add("a", 0, 0, 40, 4).Add("b", 0, 0, 40, 8).Evaluate([Metric.RocAuc, Metric.Accuracy], NoBootstrap);

        result.Overall(Metric.RocAuc).Should().BeNull("there are no positives at all");
        result.Result("a", Metric.RocAuc).Status.Should().Be(GroupMetricStatus.Undefined);
        result.Overall(Metric.Accuracy)!.Value.Value.Should().BeApproximately(68.0 / 80, 1e-15);
    }

    [Fact]
    public void Evaluate_OneJudgedGroup_HasNoBetweenGroupQuantities()
    {
        GroupedEvaluation result = new Batch().Add("only", 20, 16, 20, 4).Evaluate([Metric.Accuracy], NoBootstrap);

        result.Disparity(Metric.Accuracy).Difference.Should().BeNull();
        result.Disparity(Metric.Accuracy).DifferenceToOverall!.Value.Value.Should().Be(0);
        result.Fairness.DemographicParityDifference.Should().BeNull();
    }

    [Fact]
    public void Evaluate_Bootstrap_IsSeededContainsThePointAndHasTheBinomialWidth()
    {
        Batch batch = new Batch().Add("a", 200, 160, 200, 40).Add("b", 200, 100, 200, 0);
        var options = new GroupedEvaluationOptions { Resamples = 400, Seed = 7 };

        GroupedEvaluation first = batch.Evaluate([Metric.Accuracy, Metric.RocAuc], options);
        GroupedEvaluation again = batch.Evaluate([Metric.Accuracy, Metric.RocAuc], options);
        GroupedEvaluation otherSeed = batch.Evaluate([Metric.Accuracy, Metric.RocAuc], new GroupedEvaluationOptions { Resamples = 400, Seed = 8 });

        MetricEstimate accuracy = first.Result("a", Metric.Accuracy).Estimate!.Value;
        again.Result("a", Metric.Accuracy).Estimate.Should().Be(accuracy);
        otherSeed.Result("a", Metric.Accuracy).Estimate.Should().NotBe(accuracy);
        accuracy.Resamples.Should().Be(400);
        accuracy.Lower.Should().BeLessThan(accuracy.Value);
        accuracy.Upper.Should().BeGreaterThan(accuracy.Value);

        // Accuracy 0.8 on 400 examples: standard error sqrt(0.8 · 0.2 / 400) = 0.02, so a 95% interval about 0.078 wide.
        (accuracy.Upper - accuracy.Lower).Should().BeApproximately(2 * 1.96 * 0.02, 0.015);
        MetricEstimate parity = first.Fairness.DemographicParityDifference!.Value;
        parity.Lower.Should().BeLessThan(parity.Value);
        parity.Upper.Should().BeGreaterThan(parity.Value);
    }

    [Fact]
    public void Evaluate_BadInput_IsRefused()
    {
        bool[] labels = [true, false];
        string[] groups = ["a", "b"];
        var calls = new (Action Call, Type Exception)[]
        {
            (() => GroupedEvaluation.Evaluate([], labels, labels, [], groups), typeof(ArgumentException)),
            (() => GroupedEvaluation.Evaluate([Metric.Accuracy, Metric.Accuracy], labels, labels, [], groups), typeof(ArgumentException)),
            (() => GroupedEvaluation.Evaluate([Metric.Accuracy], labels, labels, [], ["a"]), typeof(ArgumentException)),
            (() => GroupedEvaluation.Evaluate([Metric.Accuracy], [], [], [], []), typeof(ArgumentException)),
            (() => GroupedEvaluation.Evaluate([Metric.Accuracy], labels, labels, [], ["a", null!]), typeof(ArgumentNullException)),
            (() => GroupedEvaluation.Evaluate([Metric.RocAuc], labels, labels, [], groups), typeof(ArgumentException)),
            (() => GroupedEvaluation.Evaluate([Metric.LogLoss], labels, labels, [0.5, 1.5], groups), typeof(ArgumentOutOfRangeException)),
            (() => GroupedEvaluation.Evaluate([Metric.Accuracy], labels, labels, [], groups, new GroupedEvaluationOptions { MinimumGroupSize = 0 }), typeof(ArgumentOutOfRangeException)),
            (() => GroupedEvaluation.Evaluate([Metric.Accuracy], labels, labels, [], groups, new GroupedEvaluationOptions { Resamples = -1 }), typeof(ArgumentOutOfRangeException)),
            (() => GroupedEvaluation.Evaluate([Metric.Accuracy], labels, labels, [], groups, new GroupedEvaluationOptions { ConfidenceLevel = 1 }), typeof(ArgumentOutOfRangeException)),
        };

        foreach ((Action call, Type exception) in calls)
        {
            call.Should().Throw<Exception>().Which.Should().BeOfType(exception);
        }
    }

    /// <summary>Builds a batch group by group from confusion counts; scores follow the predicted labels with some spread.</summary>
    private sealed class Batch
    {
        private readonly List<(bool Actual, bool Predicted, double Score, string Group)> _rows = [];

        public Batch Add(string group, int positives, int truePositives, int negatives, int falsePositives)
        {
            for (int i = 0; i < positives; i++)
            {
                bool predicted = i < truePositives;
                _rows.Add((true, predicted, predicted ? 0.6 + (0.01 * (i % 30)) : 0.45 - (0.01 * (i % 30)), group));
            }

            for (int i = 0; i < negatives; i++)
            {
                bool predicted = i < falsePositives;
                _rows.Add((false, predicted, predicted ? 0.55 + (0.01 * (i % 30)) : 0.4 - (0.01 * (i % 30)), group));
            }

            return this;
        }

        public GroupedEvaluation Evaluate(Metric[] metrics, GroupedEvaluationOptions options) =>
            GroupedEvaluation.Evaluate(
                metrics,
                _rows.Select(r => r.Actual).ToArray(),
                _rows.Select(r => r.Predicted).ToArray(),
                _rows.Select(r => r.Score).ToArray(),
                _rows.Select(r => r.Group).ToArray(),
                options);
    }
}
