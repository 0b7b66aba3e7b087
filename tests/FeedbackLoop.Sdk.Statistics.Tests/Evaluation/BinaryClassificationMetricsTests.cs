using FeedbackLoop.Evaluation;
using static FeedbackLoop.Tests.Evaluation.BinaryMetricsReference;

namespace FeedbackLoop.Tests.Evaluation;

public sealed class BinaryClassificationMetricsTests
{
    private const double RelativeTolerance = 1e-9;

    // −ln(2^-52): the loss of a confidently wrong prediction after scikit-learn 1.2's clipping.
    private static readonly double MaxClippedLoss = 52.0 * Math.Log(2.0);

    public static IEnumerable<object[]> ScoreMetrics =>
    [
        ["roc_auc"],
        ["log_loss"],
        ["brier_score"],
    ];

    public static IEnumerable<object[]> ProbabilityMetrics =>
    [
        ["log_loss"],
        ["brier_score"],
    ];

    [Fact]
    public void ReferenceFile_HasEveryCaseAndRecordsVersions()
    {
        Golden.Cases.Select(c => c.Name).Should().Equal(CaseNames);
        Golden.Sklearn.Should().NotBeNullOrWhiteSpace();
        Golden.Numpy.Should().NotBeNullOrWhiteSpace();
        Golden.LogLossEps.Should().Be(BinaryClassificationMetrics.LogLossEpsilon);
        Get("large_100k").Actual.Should().HaveCount(100_000);
    }

    [Theory]
    [MemberData(nameof(CaseNameData), MemberType = typeof(BinaryMetricsReference))]
    public void Accuracy_ReferenceCase_MatchesScikitLearn(string name)
    {
        Case c = Get(name);
        AssertRelative(BinaryClassificationMetrics.Accuracy(c.Actual, c.Predicted, c.Weights), c.Accuracy);
    }

    [Theory]
    [MemberData(nameof(CaseNameData), MemberType = typeof(BinaryMetricsReference))]
    public void RocAuc_ReferenceCase_MatchesScikitLearn(string name)
    {
        Case c = Get(name);
        AssertRelative(BinaryClassificationMetrics.RocAuc(c.Actual, c.Scores, c.Weights), c.RocAuc);
    }

    [Theory]
    [MemberData(nameof(CaseNameData), MemberType = typeof(BinaryMetricsReference))]
    public void LogLoss_ReferenceCase_MatchesScikitLearn(string name)
    {
        Case c = Get(name);
        AssertRelative(BinaryClassificationMetrics.LogLoss(c.Actual, c.Probabilities, c.Weights), c.LogLoss);
    }

    [Theory]
    [MemberData(nameof(CaseNameData), MemberType = typeof(BinaryMetricsReference))]
    public void BrierScore_ReferenceCase_MatchesScikitLearn(string name)
    {
        Case c = Get(name);
        AssertRelative(BinaryClassificationMetrics.BrierScore(c.Actual, c.Probabilities, c.Weights), c.BrierScore);
    }

    [Fact]
    public void Accuracy_HandComputed_IsFractionCorrect()
    {
        bool[] actual = [true, false, true, true];
        bool[] predicted = [true, true, true, false];

        BinaryClassificationMetrics.Accuracy(actual, predicted).Should().Be(0.5);
        BinaryClassificationMetrics.Accuracy(actual, predicted, [3.0, 1.0, 0.0, 1.0]).Should().Be(0.6);
    }

    [Fact]
    public void RocAuc_PerfectReversedAndTiedRankings_AreOneZeroAndHalf()
    {
        bool[] actual = [false, true, false, true];

        BinaryClassificationMetrics.RocAuc(actual, [0.1, 0.9, 0.2, 0.8]).Should().Be(1.0);
        BinaryClassificationMetrics.RocAuc(actual, [0.9, 0.1, 0.8, 0.2]).Should().Be(0.0);
        BinaryClassificationMetrics.RocAuc(actual, [0.5, 0.5, 0.5, 0.5]).Should().Be(0.5);
    }

    [Theory]
    [InlineData(2, 60)]
    [InlineData(300, 2_000)]
    public void RocAuc_RandomTiedScores_EqualsMannWhitneyPairCount(int minLength, int maxLength)
    {
        var random = new Random(12345 + minLength);
        for (int trial = 0; trial < 10; trial++)
        {
            int n = random.Next(minLength, maxLength);
            var actual = new bool[n];
            var scores = new double[n];
            for (int i = 0; i < n; i++)
            {
                actual[i] = i < 2 ? i == 0 : random.NextDouble() < 0.4;
                scores[i] = random.Next(-3, 4) * 0.5;
            }

            // Mann–Whitney: P(score of a positive > score of a negative) + ½ P(tie), over all pairs.
            double wins = 0.0;
            int pairs = 0;
            for (int p = 0; p < n; p++)
            {
                for (int q = 0; q < n; q++)
                {
                    if (actual[p] && !actual[q])
                    {
                        pairs++;
                        wins += scores[p] > scores[q] ? 1.0 : scores[p] == scores[q] ? 0.5 : 0.0;
                    }
                }
            }

            BinaryClassificationMetrics.RocAuc(actual, scores).Should().BeApproximately(wins / pairs, 1e-12);
        }
    }

    [Fact]
    public void RocAuc_IntegerWeights_EqualRepeatedExamples()
    {
        bool[] actual = [true, false, true, false, false, true];
        double[] scores = [0.3, 0.3, 0.8, -1.0, 0.9, 0.3];
        double[] weights = [2, 1, 3, 1, 2, 1];
        var repeatedActual = new List<bool>();
        var repeatedScores = new List<double>();
        for (int i = 0; i < actual.Length; i++)
        {
            for (int k = 0; k < weights[i]; k++)
            {
                repeatedActual.Add(actual[i]);
                repeatedScores.Add(scores[i]);
            }
        }

        double weighted = BinaryClassificationMetrics.RocAuc(actual, scores, weights);

        weighted.Should().BeApproximately(
            BinaryClassificationMetrics.RocAuc(repeatedActual.ToArray(), repeatedScores.ToArray()), 1e-12);
        weighted.Should().NotBeApproximately(BinaryClassificationMetrics.RocAuc(actual, scores), 1e-3);
    }

    [Fact]
    public void RocAuc_ZeroWeightExamples_AreIgnored()
    {
        bool[] actual = [true, false, true, false, true];
        double[] scores = [0.2, 0.7, 0.9, 0.4, 0.1];

        double withZero = BinaryClassificationMetrics.RocAuc(actual, scores, [1, 1, 1, 0, 0]);

        withZero.Should().Be(BinaryClassificationMetrics.RocAuc([true, false, true], [0.2, 0.7, 0.9]));
    }

    [Fact]
    public void RocAuc_Inputs_AreNotModified()
    {
        bool[] actual = [true, false, true, false, true];
        double[] scores = [0.2, 0.7, 0.9, 0.4, 0.1];
        double[] weights = [1, 2, 3, 4, 5];
        bool[] actualCopy = [.. actual];
        double[] scoresCopy = [.. scores];
        double[] weightsCopy = [.. weights];

        BinaryClassificationMetrics.RocAuc(actual, scores, weights);

        actual.Should().Equal(actualCopy);
        scores.Should().Equal(scoresCopy);
        weights.Should().Equal(weightsCopy);
    }

    [Fact]
    public void LogLoss_ExactZeroAndOne_AreClippedToMachineEpsilon()
    {
        BinaryClassificationMetrics.LogLoss([true], [0.0]).Should().BeApproximately(MaxClippedLoss, 1e-12);
        BinaryClassificationMetrics.LogLoss([false], [1.0]).Should().BeApproximately(MaxClippedLoss, 1e-12);
        BinaryClassificationMetrics.LogLoss([true], [1.0]).Should().BeApproximately(2.220446049250313e-16, 1e-30);
    }

    [Fact]
    public void LogLoss_HandComputed_IsMeanNegativeLogLikelihood()
    {
        double expected = -(Math.Log(0.8) + Math.Log(1.0 - 0.4) + Math.Log(0.5)) / 3.0;

        BinaryClassificationMetrics.LogLoss([true, false, true], [0.8, 0.4, 0.5])
            .Should().BeApproximately(expected, 1e-15);
    }

    [Fact]
    public void LogLoss_SingleClass_IsDefined()
    {
        BinaryClassificationMetrics.LogLoss([true, true], [0.5, 0.25])
            .Should().BeApproximately(-(Math.Log(0.5) + Math.Log(0.25)) / 2.0, 1e-15);
    }

    [Fact]
    public void BrierScore_HandComputed_IsMeanSquaredError()
    {
        double expected = ((0.2 * 0.2) + (0.4 * 0.4) + (0.5 * 0.5)) / 3.0;
        double weightedExpected = ((2 * 0.2 * 0.2) + (0.4 * 0.4)) / 3.0;

        BinaryClassificationMetrics.BrierScore([true, false, true], [0.8, 0.4, 0.5])
            .Should().BeApproximately(expected, 1e-15);
        BinaryClassificationMetrics.BrierScore([true, false, true], [0.8, 0.4, 0.5], [2, 1, 0])
            .Should().BeApproximately(weightedExpected, 1e-15);
    }

    [Fact]
    public void Accuracy_DifferentLengths_ThrowsArgumentExceptionNamingBothLengths()
    {
        Action act = () => BinaryClassificationMetrics.Accuracy([true, false, true], [true, false]);

        act.Should().Throw<ArgumentException>()
            .WithMessage("actual has 3 elements but predicted has 2*")
            .And.ParamName.Should().Be("predicted");
    }

    [Fact]
    public void Accuracy_Empty_ThrowsArgumentException()
    {
        Action act = () => BinaryClassificationMetrics.Accuracy([], []);

        act.Should().Throw<ArgumentException>().WithMessage("actual is empty*");
    }

    [Fact]
    public void Accuracy_WeightsOfWrongLength_ThrowsArgumentExceptionNamingBothLengths()
    {
        Action act = () => BinaryClassificationMetrics.Accuracy([true, false], [true, true], [1.0]);

        act.Should().Throw<ArgumentException>().WithMessage("actual has 2 elements but sampleWeights has 1*");
    }

    [Theory]
    [InlineData(-1.0, "-1")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Accuracy_BadWeight_ThrowsArgumentOutOfRangeNamingIndex(double weight, string shown)
    {
        Action act = () => BinaryClassificationMetrics.Accuracy([true, false, true], [true, true, true], [1.0, weight, 1.0]);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"sampleWeights[1] is {shown}; sample weights must be finite and non-negative*");
    }

    [Fact]
    public void Accuracy_AllZeroWeights_ThrowsArgumentException()
    {
        Action act = () => BinaryClassificationMetrics.Accuracy([true, false], [true, true], [0.0, 0.0]);

        act.Should().Throw<ArgumentException>().WithMessage("All sample weights are zero*");
    }

    [Fact]
    public void Accuracy_WeightsSummingToInfinity_ThrowsArgumentException()
    {
        Action act = () => BinaryClassificationMetrics.Accuracy([true, false], [true, true], [1e308, 1e308]);

        act.Should().Throw<ArgumentException>().WithMessage("The sum of the sample weights overflows*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_DifferentLengths_ThrowsArgumentExceptionNamingBothLengths(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 0.5]);

        act.Should().Throw<ArgumentException>().WithMessage("actual has 3 elements but * has 2*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_WeightsOfWrongLength_ThrowsArgumentExceptionNamingBothLengths(string metric)
    {
        Action act = () => Invoke(metric, [true, false], [0.5, 0.5], [1.0, 1.0, 1.0]);

        act.Should().Throw<ArgumentException>().WithMessage("actual has 2 elements but sampleWeights has 3*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_Empty_ThrowsArgumentException(string metric)
    {
        Action act = () => Invoke(metric, [], []);

        act.Should().Throw<ArgumentException>().WithMessage("actual is empty*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_NaNScore_ThrowsArgumentOutOfRangeNamingIndex(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 0.2, double.NaN]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[2] is NaN; *must be finite*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_InfiniteScore_ThrowsArgumentOutOfRangeNamingIndex(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, double.NegativeInfinity, 0.1]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[1] is -Infinity; *must be finite*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_NegativeWeight_ThrowsArgumentOutOfRangeNamingIndex(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 0.2, 0.1], [1.0, 1.0, -0.5]);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("sampleWeights[2] is -0.5; sample weights must be finite and non-negative*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_NaNWeight_ThrowsArgumentOutOfRangeNamingIndex(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 0.2, 0.1], [double.NaN, 1.0, 1.0]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("sampleWeights[0] is NaN*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_AllZeroWeights_ThrowsArgumentException(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 0.2, 0.1], [0.0, 0.0, 0.0]);

        act.Should().Throw<ArgumentException>().WithMessage("All sample weights are zero*");
    }

    [Theory]
    [MemberData(nameof(ScoreMetrics))]
    public void ScoreMetric_WeightsSummingToInfinity_ThrowsArgumentException(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 0.2, 0.1], [1e308, 1e308, 1.0]);

        act.Should().Throw<ArgumentException>().WithMessage("The sum of the sample weights overflows*");
    }

    [Fact]
    public void LogLoss_WeightedLossOverflowing_ThrowsArgumentException()
    {
        // The weight total (1.6e308) is finite, but 1.6e308 × ~36 nats is not.
        Action act = () => BinaryClassificationMetrics.LogLoss([true, false], [0.0, 1.0], [8e307, 8e307]);

        act.Should().Throw<ArgumentException>().WithMessage("The weighted sum of the per-example losses overflows*");
    }

    [Theory]
    [MemberData(nameof(ProbabilityMetrics))]
    public void ProbabilityMetric_ProbabilityAboveOne_ThrowsArgumentOutOfRangeNamingIndexAndValue(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 1.25, 0.1]);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("probabilities[1] is 1.25; probabilities must lie in [0, 1]*")
            .And.ParamName.Should().Be("probabilities");
    }

    [Theory]
    [MemberData(nameof(ProbabilityMetrics))]
    public void ProbabilityMetric_NegativeProbability_ThrowsArgumentOutOfRangeNamingIndexAndValue(string metric)
    {
        Action act = () => Invoke(metric, [true, false, true], [0.5, 0.2, -0.001]);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("probabilities[2] is -0.001; probabilities must lie in [0, 1]*");
    }

    [Fact]
    public void RocAuc_OnlyPositives_ThrowsArgumentException()
    {
        Action act = () => BinaryClassificationMetrics.RocAuc([true, true, true], [0.5, 0.2, 0.1]);

        act.Should().Throw<ArgumentException>()
            .WithMessage("only one class present; ROC AUC is not defined*3 positive and 0 negative*")
            .And.ParamName.Should().Be("actual");
    }

    [Fact]
    public void RocAuc_OnlyNegatives_ThrowsArgumentException()
    {
        Action act = () => BinaryClassificationMetrics.RocAuc([false, false], [0.5, 0.2]);

        act.Should().Throw<ArgumentException>().WithMessage("only one class present; ROC AUC is not defined*");
    }

    [Fact]
    public void RocAuc_OtherClassHasOnlyZeroWeight_ThrowsArgumentException()
    {
        Action act = () => BinaryClassificationMetrics.RocAuc([true, false, true], [0.5, 0.2, 0.1], [1.0, 0.0, 2.0]);

        act.Should().Throw<ArgumentException>()
            .WithMessage("only one class present; ROC AUC is not defined*2 positive and 0 negative*");
    }

    private static double Invoke(string metric, bool[] actual, double[] values, double[]? weights = null) => metric switch
    {
        "roc_auc" => BinaryClassificationMetrics.RocAuc(actual, values, weights),
        "log_loss" => BinaryClassificationMetrics.LogLoss(actual, values, weights),
        "brier_score" => BinaryClassificationMetrics.BrierScore(actual, values, weights),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };

    private static void AssertRelative(double actual, double expected)
    {
        actual.Should().BeApproximately(expected, RelativeTolerance * Math.Abs(expected));
    }
}
