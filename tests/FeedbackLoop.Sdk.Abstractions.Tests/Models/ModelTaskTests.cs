using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.Models;

public class ModelTaskTests
{
    private static readonly ModelTask Colours = ModelTask.Multiclass("red", "green", "blue");

    [Fact]
    public void Multiclass_KeepsTheDeclaredOrderAndIndexesIt()
    {
        Colours.Kind.Should().Be(ModelTaskKind.Multiclass);
        Colours.Classes.Should().Equal("red", "green", "blue");
        Colours.LabelKind.Should().Be(LabelKind.Categorical);
        Colours.IndexOf("blue").Should().Be(2);
        Colours.IndexOf("Blue").Should().Be(-1, "class names are ordinal");
        ModelTask.Binary.IndexOf("red").Should().Be(-1);
        Colours.ToString().Should().Be("multiclass[red, green, blue]");
        ModelTask.Regression.ToString().Should().Be("regression");
    }

    [Fact]
    public void Equality_IsByKindAndClassesInOrder()
    {
        ModelTask.Multiclass("red", "green", "blue").Should().Be(Colours);
        ModelTask.Multiclass("red", "green", "blue").GetHashCode().Should().Be(Colours.GetHashCode());
        ModelTask.Multiclass("green", "red", "blue").Should().NotBe(Colours, "the order is the order of the probabilities");
        ModelTask.Binary.Should().NotBe(ModelTask.Regression);
    }

    [Theory]
    [InlineData(new string[0], "*2 to 10000 classes; 0*")]
    [InlineData(new[] { "only" }, "*2 to 10000 classes; 1*")]
    [InlineData(new[] { "a", "" }, "*Class 1 is null or empty*")]
    [InlineData(new[] { "a", "b", "a" }, "*'a' is declared twice*")]
    public void Multiclass_BadClassSets_Throw(string[] classes, string message) =>
        FluentActions.Invoking(() => ModelTask.Multiclass(classes)).Should().Throw<ArgumentException>().WithMessage(message);

    [Fact]
    public void Multiclass_TooManyClasses_Throws() =>
        FluentActions.Invoking(() => ModelTask.Multiclass(Enumerable.Range(0, ModelTask.MaxClasses + 1).Select(i => $"c{i}")))
            .Should().Throw<ArgumentException>().WithMessage("*10001 were given*");

    [Fact]
    public void Accepts_Labels_FollowTheTask()
    {
        ModelTask.Binary.Accepts(Label.Binary(true), out _).Should().BeTrue();
        ModelTask.Binary.Accepts(Label.Numeric(1), out var problem).Should().BeFalse();
        problem.Should().Be("a binary task takes Binary labels, not Numeric (1)");
        Colours.Accepts(Label.Categorical("green"), out _).Should().BeTrue();
        Colours.Accepts(Label.Categorical("purple"), out problem).Should().BeFalse();
        problem.Should().Contain("'purple' is not one of the task's classes");
        ModelTask.Regression.Accepts(Label.Numeric(-2.5), out _).Should().BeTrue();
        ModelTask.Regression.Accepts(Label.None, out _).Should().BeFalse();
    }

    [Fact]
    public void Accepts_Outputs_FollowTheTask()
    {
        ModelTask.Binary.Accepts(PredictionOutput.Binary(0.3), out _).Should().BeTrue();
        ModelTask.Binary.Accepts(PredictionOutput.FromLabel(true), out _).Should().BeTrue("a classifier may give no score");
        ModelTask.Binary.Accepts(PredictionOutput.Regression(0.3), out _).Should().BeFalse();
        Colours.Accepts(PredictionOutput.Multiclass(Colours, [0.2, 0.5, 0.3]), out _).Should().BeTrue();
        Colours.Accepts(PredictionOutput.FromLabel(Label.Categorical("red")), out _).Should().BeTrue();
        Colours.Accepts(PredictionOutput.Multiclass(ModelTask.Multiclass("a", "b"), [0.5, 0.5]), out var problem).Should().BeFalse();
        problem.Should().Contain("'a' is not one of");
        Colours.Accepts(PredictionOutput.Multiclass(ModelTask.Multiclass("red", "green"), [0.5, 0.5]), out problem).Should().BeFalse();
        problem.Should().Be("the output has 2 probabilities for the task's 3 classes");
        ModelTask.Regression.Accepts(PredictionOutput.Regression(12.5), out _).Should().BeTrue();
        ModelTask.Regression.Accepts(PredictionOutput.Binary(0.5), out _).Should().BeFalse();
        ModelTask.Regression.Accepts(default(PredictionOutput), out problem).Should().BeFalse();
        problem.Should().Contain("Numeric labels, not None");
    }

    [Fact]
    public void MulticlassOutput_TakesTheMostProbableClassAndCopiesTheProbabilities()
    {
        double[] buffer = [0.2, 0.5, 0.3];
        var output = PredictionOutput.Multiclass(Colours, buffer);
        buffer[1] = 0.0;

        output.Label.Should().Be(Label.Categorical("green"));
        output.Probabilities.ToArray().Should().Equal(0.2, 0.5, 0.3);
        output.Score.Should().Be(double.NaN);
        output.Value.Should().Be(double.NaN);
        PredictionOutput.Multiclass(Colours, [0.4, 0.4, 0.2]).Label.Should().Be(Label.Categorical("red"), "a tie goes to the first class");
        output.Should().Be(PredictionOutput.Multiclass(Colours, [0.2, 0.5, 0.3]), "outputs compare by their probabilities");
        output.Should().NotBe(PredictionOutput.Multiclass(Colours, [0.2, 0.5 + 1e-9, 0.3 - 1e-9]));
    }

    [Theory]
    [InlineData(new[] { 0.5, 0.5 }, "*2 probabilities were given for the task's 3 classes*")]
    [InlineData(new[] { 0.5, 0.6, -0.1 }, "*class 2 is -0.1, not in [0, 1]*")]
    [InlineData(new[] { 0.5, 0.5, double.NaN }, "*class 2 is NaN*")]
    [InlineData(new[] { 0.3, 0.3, 0.3 }, "*sum to 0.9*")]
    public void MulticlassOutput_NotADistributionOverTheClasses_Throws(double[] probabilities, string message) =>
        FluentActions.Invoking(() => PredictionOutput.Multiclass(Colours, probabilities)).Should().Throw<ArgumentException>().WithMessage(message);

    [Fact]
    public void MulticlassOutput_RoundedSinglePrecisionProbabilities_AreAccepted() =>
        PredictionOutput.Multiclass(Colours, [0.33333f, 0.33333f, 0.33333f]).Label.Should().Be(Label.Categorical("red"));

    [Fact]
    public void Outputs_OfOtherFactories_AreRefusedOrTyped()
    {
        FluentActions.Invoking(() => PredictionOutput.Multiclass(ModelTask.Binary, [0.5, 0.5])).Should().Throw<ArgumentException>().WithMessage("*binary, not multiclass*");
        FluentActions.Invoking(() => PredictionOutput.Regression(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
        PredictionOutput.Regression(4.25).Value.Should().Be(4.25);
        PredictionOutput.Regression(4.25).Label.Should().Be(Label.Numeric(4.25));
        default(PredictionOutput).Score.Should().Be(double.NaN);
        default(PredictionOutput).Probabilities.IsEmpty.Should().BeTrue();
    }

    [Theory]
    [InlineData("binary", "7.5", "", "*score 7.5 is not a probability in [0, 1]*")]
    [InlineData("binary", "NaN", "0.5 0.5", "*a binary output carries one score, not per-class probabilities*")]
    [InlineData("multiclass", "0.9", "0.2 0.3 0.5", "*a multiclass output carries per-class probabilities, not a score*")]
    [InlineData("multiclass", "NaN", "0.2 0.3 0.6", "*the probabilities sum to 1.1, not 1*")]
    [InlineData("multiclass", "NaN", "0.2 1.3 -0.5", "*the probability of class 1 is 1.3, not in [0, 1]*")]
    [InlineData("regression", "0.5", "", "*a regression output carries its value and an interval, no score*")]
    [InlineData("regression", "NaN", "1", "*an interval of 2 bounds, not 1 values*")]
    public void Accepts_RestoredOutputsThatDoNotFit_SaysWhy(string task, string score, string probabilities, string message)
    {
        var (modelTask, label) = task switch
        {
            "binary" => (ModelTask.Binary, Label.Binary(true)),
            "multiclass" => (Colours, Label.Categorical("red")),
            _ => (ModelTask.Regression, Label.Numeric(1)),
        };
        double[] values = [.. probabilities.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];

        modelTask.Accepts(PredictionOutput.Restore(label, double.Parse(score, System.Globalization.CultureInfo.InvariantCulture), values), out var problem).Should().BeFalse();

        problem.Should().Match(message);
    }

    [Fact]
    public void Restore_WhatAnOutputReturned_GivesAnEqualOutput()
    {
        PredictionOutput[] outputs =
        [
            PredictionOutput.Binary(0.3, threshold: 0.2), PredictionOutput.FromLabel(false), PredictionOutput.Multiclass(Colours, [0.2, 0.5, 0.3]),
            PredictionOutput.Regression(-4.5), default,
        ];

        outputs.Select(o => PredictionOutput.Restore(o.Label, o.Score, o.Probabilities)).Should().Equal(outputs);
    }

    [Fact]
    public void RegressionOutput_WithInterval_KeepsItAsValuesAndNotAsProbabilities()
    {
        var output = PredictionOutput.Regression(7.5, 6.0, 9.25);

        output.Value.Should().Be(7.5);
        output.Interval.Should().Be((6.0, 9.25));
        output.Probabilities.IsEmpty.Should().BeTrue();
        output.Values.ToArray().Should().Equal(6.0, 9.25);
        output.ToString().Should().Be("7.5 [6, 9.25]");
        PredictionOutput.Restore(output.Label, output.Score, output.Values).Should().Be(output);
        PredictionOutput.Regression(7.5).Interval.Should().BeNull();
        PredictionOutput.Regression(7.5).Should().NotBe(output);
        ModelTask.Regression.Accepts(output, out var problem).Should().BeTrue(problem);
    }

    [Theory]
    [InlineData(7.5, 8.0, 9.0)]
    [InlineData(7.5, 6.0, 7.0)]
    [InlineData(7.5, double.NaN, 9.0)]
    [InlineData(7.5, 6.0, double.PositiveInfinity)]
    [InlineData(7.5, double.NegativeInfinity, 9.0)]
    public void RegressionOutput_IntervalThatIsNotFiniteBoundsAroundTheValue_Throws(double value, double lower, double upper) =>
        FluentActions.Invoking(() => PredictionOutput.Regression(value, lower, upper))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*is not finite bounds around the value 7.5*");

    [Fact]
    public void RegressionOutput_BadBound_IsNamed()
    {
        FluentActions.Invoking(() => PredictionOutput.Regression(7.5, 8.0, 9.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("lower");
        FluentActions.Invoking(() => PredictionOutput.Regression(7.5, 6.0, 7.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("upper");
        FluentActions.Invoking(() => PredictionOutput.Regression(7.5, 6.0, double.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("upper");
    }

    [Theory]
    [InlineData(new[] { 8.0, 9.0 }, "*interval [8, 9] is not finite bounds around the value 7.5*")]
    [InlineData(new[] { 6.0, 7.0, 8.0 }, "*interval of 2 bounds, not 3 values*")]
    [InlineData(new[] { 6.0 }, "*interval of 2 bounds, not 1 values*")]
    public void Accepts_RestoredRegressionOutputWithoutAnIntervalAroundTheValue_SaysWhy(double[] values, string message)
    {
        var output = PredictionOutput.Restore(Label.Numeric(7.5), double.NaN, values);

        ModelTask.Regression.Accepts(output, out var problem).Should().BeFalse();
        problem.Should().Match(message);
    }
}
