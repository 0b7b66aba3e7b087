using FeedbackLoop.Evaluation;
using static FeedbackLoop.Tests.Evaluation.BinaryMetricsReference;

namespace FeedbackLoop.Tests.Evaluation;

public sealed class MetricTests
{
    [Fact]
    public void StaticInstances_HaveNamesDirectionsAndToString()
    {
        Metric[] metrics = [Metric.Accuracy, Metric.RocAuc, Metric.LogLoss, Metric.BrierScore];

        metrics.Select(m => m.Name).Should().Equal("accuracy", "roc_auc", "log_loss", "brier_score");
        metrics.Select(m => m.HigherIsBetter).Should().Equal(true, true, false, false);
        metrics.Select(m => m.ToString()).Should().Equal("accuracy", "roc_auc", "log_loss", "brier_score");
        Metric.RocAuc.Should().BeSameAs(Metric.RocAuc);
    }

    [Fact]
    public void Compute_ReferenceCase_MatchesScikitLearn()
    {
        Case c = Get("random_scores");

        Metric.Accuracy.Compute(c.Actual, c.Predicted, c.Probabilities).Should().BeApproximately(c.Accuracy, 1e-9 * c.Accuracy);
        Metric.LogLoss.Compute(c.Actual, c.Predicted, c.Probabilities).Should().BeApproximately(c.LogLoss, 1e-9 * c.LogLoss);
        Metric.BrierScore.Compute(c.Actual, c.Predicted, c.Probabilities).Should().BeApproximately(c.BrierScore, 1e-9 * c.BrierScore);

        // random_scores keeps its logits as ROC scores; rank them as the gate would.
        Metric.RocAuc.Compute(c.Actual, c.Predicted, c.Scores).Should().BeApproximately(c.RocAuc, 1e-9 * c.RocAuc);
    }

    [Fact]
    public void Compute_UnusedSpanEmpty_IsAccepted()
    {
        bool[] actual = [true, false, true, false];
        bool[] predicted = [true, true, true, false];
        double[] scores = [0.9, 0.6, 0.4, 0.1];

        Metric.Accuracy.Compute(actual, predicted, []).Should().Be(0.75);
        Metric.RocAuc.Compute(actual, [], scores).Should().Be(0.75);
        Metric.LogLoss.Compute(actual, [], scores).Should().Be(BinaryClassificationMetrics.LogLoss(actual, scores));
        Metric.BrierScore.Compute(actual, [], scores).Should().Be(BinaryClassificationMetrics.BrierScore(actual, scores));
    }

    [Fact]
    public void Compute_UnusedScoresOfWrongLength_ThrowsArgumentExceptionNamingBothLengths()
    {
        Action act = () => Metric.Accuracy.Compute([true, false], [true, true], [0.5]);

        act.Should().Throw<ArgumentException>().WithMessage("actual has 2 elements but scores has 1*");
    }

    [Theory]
    [InlineData("roc_auc")]
    [InlineData("log_loss")]
    [InlineData("brier_score")]
    public void Compute_UnusedPredictedOfWrongLength_ThrowsArgumentExceptionNamingBothLengths(string name)
    {
        Metric metric = ByName(name);
        Action act = () => metric.Compute([true, false], [true, true, false], [0.5, 0.2]);

        act.Should().Throw<ArgumentException>().WithMessage("actual has 2 elements but predicted has 3*");
    }

    [Fact]
    public void Compute_ScoresOfWrongLength_ThrowsArgumentExceptionNamingBothLengths()
    {
        Action act = () => Metric.RocAuc.Compute([true, false], [], [0.5, 0.2, 0.1]);

        act.Should().Throw<ArgumentException>().WithMessage("actual has 2 elements but scores has 3*");
    }

    [Fact]
    public void Compute_LogLossWithProbabilityOutsideUnitInterval_ThrowsArgumentOutOfRange()
    {
        Action act = () => Metric.LogLoss.Compute([true, false], [], [0.5, 2.0]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("probabilities[1] is 2; *");
    }

    [Theory]
    [InlineData(0.80, 0.81, 0.02, true)]
    [InlineData(0.80, 0.81, 0.005, false)]
    [InlineData(0.85, 0.81, 0.0, true)]
    [InlineData(0.81, 0.81, 0.0, true)]
    [InlineData(0.75, 0.81, 0.05, false)]
    public void IsNoWorse_HigherIsBetter_AllowsCandidateToTrailByTolerance(
        double candidate, double champion, double tolerance, bool expected)
    {
        Metric.RocAuc.IsNoWorse(candidate, champion, tolerance).Should().Be(expected);
        Metric.Accuracy.IsNoWorse(candidate, champion, tolerance).Should().Be(expected);
    }

    [Theory]
    [InlineData(0.30, 0.29, 0.02, true)]
    [InlineData(0.30, 0.29, 0.005, false)]
    [InlineData(0.20, 0.29, 0.0, true)]
    [InlineData(0.29, 0.29, 0.0, true)]
    [InlineData(0.40, 0.29, 0.1, false)]
    public void IsNoWorse_LowerIsBetter_AllowsCandidateToExceedByTolerance(
        double candidate, double champion, double tolerance, bool expected)
    {
        Metric.LogLoss.IsNoWorse(candidate, champion, tolerance).Should().Be(expected);
        Metric.BrierScore.IsNoWorse(candidate, champion, tolerance).Should().Be(expected);
    }

    [Fact]
    public void IsNoWorse_SameNumbers_DependsOnDirection()
    {
        // A drop from 0.5 to 0.4 is worse for a score and better for a loss.
        Metric.RocAuc.IsNoWorse(0.4, 0.5, 0.01).Should().BeFalse();
        Metric.LogLoss.IsNoWorse(0.4, 0.5, 0.01).Should().BeTrue();
    }

    [Theory]
    [InlineData(-0.01, "-0.01")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void IsNoWorse_BadTolerance_ThrowsArgumentOutOfRange(double tolerance, string shown)
    {
        Action act = () => Metric.RocAuc.IsNoWorse(0.8, 0.8, tolerance);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"tolerance is {shown}; it must be finite and non-negative*")
            .And.ParamName.Should().Be("tolerance");
    }

    [Fact]
    public void IsNoWorse_NaNCandidate_ThrowsArgumentOutOfRange()
    {
        Action act = () => Metric.LogLoss.IsNoWorse(double.NaN, 0.3, 0.0);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("candidate is NaN; the log_loss values compared must be finite*")
            .And.ParamName.Should().Be("candidate");
    }

    [Fact]
    public void IsNoWorse_InfiniteChampion_ThrowsArgumentOutOfRange()
    {
        Action act = () => Metric.Accuracy.IsNoWorse(0.9, double.NegativeInfinity, 0.0);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("champion is -Infinity; the accuracy values compared must be finite*")
            .And.ParamName.Should().Be("champion");
    }

    private static Metric ByName(string name) => name switch
    {
        "roc_auc" => Metric.RocAuc,
        "log_loss" => Metric.LogLoss,
        "brier_score" => Metric.BrierScore,
        _ => Metric.Accuracy,
    };
}
