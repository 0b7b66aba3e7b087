using FeedbackLoop.Models;
using FeedbackLoop.Promotion;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Promotion;

/// <summary>
/// <see cref="Gates.SignificantlyMoreAccurateThanChampion"/>: McNemar's exact one-sided test on the holdout cases exactly
/// one model gets right. Holdouts of x1 = 0.00, 0.01, …, labelled <c>x1 ≥ 0.5</c>: a threshold model at t is right except
/// between 0.5 and t.
/// </summary>
public class SignificanceGateTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ClearlyMoreAccurateCandidate_Passes()
    {
        // The champion at 0.6 is wrong on x1 = 0.50..0.59 (10 cases) where the candidate is right: p = 2^-10.
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.5), new ThresholdModel(0.6), Holdout(100)), None);

        result.Passed.Should().BeTrue(result.ToString());
        result.CandidateMetrics["accuracy"].Should().Be(1.0);
        result.ChampionMetrics["accuracy"].Should().Be(0.9);
        result.Reasons.Single().Should().Contain("10 vs 0").And.Contain("p = 0.001");
    }

    [Fact]
    public async Task Tie_KeepsTheChampion()
    {
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.5), new ThresholdModel(0.5), Holdout(100)), None);

        result.Passed.Should().BeFalse("no case tells the two apart: p = 1");
    }

    [Fact]
    public async Task LeadTheHoldoutCannotTellFromChance_KeepsTheChampion()
    {
        // Three discordant cases, all the candidate's: p = 1/8 = 0.125, above 0.1.
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.5), new ThresholdModel(0.53), Holdout(100)), None);

        result.Passed.Should().BeFalse(result.ToString());
        result.CandidateMetrics["accuracy"].Should().BeGreaterThan(result.ChampionMetrics["accuracy"]);
    }

    [Fact]
    public async Task CandidateExtendingTheChampion_PassesOnATie()
    {
        // Trained on more labels since the champion's drift: a tie (no discordant case, p = 1) is enough.
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.5), new ThresholdModel(0.5), Holdout(100)) with { CandidateExtendsChampion = true }, None);

        result.Passed.Should().BeTrue(result.ToString());
        result.Reasons.Single().Should().Contain("no less accurate and trained on more labels of the champion's concept");
    }

    [Fact]
    public async Task CandidateExtendingTheChampion_PassesOnALeadTheHoldoutCannotTellFromChance()
    {
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.5), new ThresholdModel(0.53), Holdout(100)) with { CandidateExtendsChampion = true }, None);

        result.Passed.Should().BeTrue("three discordant cases, all the candidate's: p = 0.125 but no less accurate");
    }

    [Fact]
    public async Task CandidateExtendingTheChampion_LessAccurate_Fails()
    {
        // The candidate at 0.51 is wrong on x1 = 0.50 where the champion is right: one discordant case, the champion's.
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.51), new ThresholdModel(0.5), Holdout(100)) with { CandidateExtendsChampion = true }, None);

        result.Passed.Should().BeFalse(result.ToString());
        result.Reasons.Single().Should().Contain("0 vs 1").And.EndWith("(not significantly more accurate at 0.1)");
    }

    [Fact]
    public async Task LessAccurateCandidate_Fails()
    {
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.7), new ThresholdModel(0.5), Holdout(100)), None);

        result.Passed.Should().BeFalse();
    }

    [Fact]
    public async Task NoChampion_Passes()
    {
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.5), null, Holdout(10)), None);

        result.Passed.Should().BeTrue();
        result.ChampionMetrics.Should().BeEmpty();
    }

    [Fact]
    public async Task EmptyHoldout_FailsWithTheReason()
    {
        var result = await Gate().EvaluateAsync(Context(new ThresholdModel(0.5), new ThresholdModel(0.6), []), None);

        result.Passed.Should().BeFalse();
        result.Reasons.Single().Should().Contain("holdout is empty");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void SignificanceLevelOutsideZeroToOne_Throws(double alpha) =>
        FluentActions.Invoking(() => Gates.SignificantlyMoreAccurateThanChampion(alpha)).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void RegressionLoop_RefusesTheGate()
    {
        var builder = LoopHarness.Builder(new Simulation.SimulatedClock()).ForTask(ModelTask.Regression)
            .UseTrainer(new ScriptedTrainer(_ => throw new InvalidOperationException("not trained")))
            .PromoteWhen(Gates.SignificantlyMoreAccurateThanChampion());

        builder.Invoking(b => b.Build()).Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*reads accuracy, which does not measure Regression*");
    }

    private static IPromotionGate Gate() => Gates.SignificantlyMoreAccurateThanChampion(0.1);

    private static GateContext Context(IPredictor candidate, IPredictor? champion, IReadOnlyList<LabelledExample> holdout) =>
        new(candidate, champion, holdout, ModelTask.Binary);

    private static List<LabelledExample> Holdout(int count) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var x1 = i / (double)count;
            var prediction = new Prediction(PredictionId.New(), "test", "1", default, Events.Vector(x1), PredictionOutput.Binary(0.5), null);
            return new LabelledExample(prediction, Label.Binary(x1 >= 0.5), default);
        })];
}
