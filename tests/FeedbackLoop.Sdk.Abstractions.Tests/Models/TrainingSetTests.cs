using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.Models;

public class TrainingSetTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x").Categorical("region", allowMissing: true).Build();

    [Fact]
    public void Build_RowsByColumn_WithLabelsWeightsAndSources()
    {
        var vector = FeatureVector.Create(Schema, [1.5], ["eu"]);
        var builder = TrainingSet.CreateBuilder(Schema, ModelTask.Binary).Add(vector, true, weight: 2.0, source: "billing");
        vector.Set("x", 9.0);
        builder.Add(vector, false);

        var set = builder.Build();

        set.Count.Should().Be(2);
        set.Numeric(0).ToArray().Should().Equal(1.5, 9.0);
        set.Categorical(0).ToArray().Should().Equal("eu", "eu");
        set.Labels.ToArray().Should().Equal(Label.Binary(true), Label.Binary(false));
        set.Weights.ToArray().Should().Equal(2.0, 1.0);
        set.Sources.Should().Equal("billing", "host");
        set.Row(0).GetNumeric("x").Should().Be(1.5, "rows are copied when added");
        set.Row(1).IsReadOnly.Should().BeTrue();
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Add_WeightNotFiniteAndNonNegative_Throws(double weight)
    {
        var act = () => TrainingSet.CreateBuilder(Schema, ModelTask.Binary).Add(FeatureVector.Create(Schema, [1.0], [null]), true, weight);

        act.Should().Throw<ArgumentException>().WithMessage("*Row 0*weight*");
    }

    [Fact]
    public void Add_BadRows_ThrowNamingTheRow()
    {
        var builder = TrainingSet.CreateBuilder(Schema, ModelTask.Binary).Add(FeatureVector.Create(Schema, [1.0], [null]), true);
        var other = FeatureSchema.CreateBuilder().Numeric("y").Build();

        builder.Invoking(b => b.Add(FeatureVector.Create(other, [1.0]), true)).Should().Throw<ArgumentException>().WithMessage("*Row 1 follows schema*");
        builder.Invoking(b => b.Add(FeatureVector.Create(Schema, [1.0], [null]), Label.None)).Should().Throw<InvalidLabelException>().WithMessage("*Row 1: a binary task takes Binary labels, not None*");
        builder.Invoking(b => b.Add(FeatureVector.Create(Schema, [1.0], [null]), Label.Categorical("yes"))).Should().Throw<InvalidLabelException>();
        builder.Invoking(b => b.Add(FeatureVector.Create(Schema, [1.0], [null]), true, source: "")).Should().Throw<ArgumentException>();
        builder.Invoking(b => b.Add(Schema.CreateVector(), true)).Should().Throw<FeatureValidationException>().WithMessage("*Row 1*'x'*");
        builder.Count.Should().Be(1, "a refused row is not added");
    }

    [Fact]
    public void Add_LabelsOutsideTheTask_AreRefusedNamingTheRowAndTheTask()
    {
        var vector = FeatureVector.Create(Schema, [1.0], [null]);
        var multiclass = TrainingSet.CreateBuilder(Schema, ModelTask.Multiclass("red", "green", "blue")).Add(vector, Label.Categorical("green"));
        var regression = TrainingSet.CreateBuilder(Schema, ModelTask.Regression).Add(vector, Label.Numeric(-3.5));

        multiclass.Invoking(b => b.Add(vector, Label.Categorical("purple"))).Should().Throw<InvalidLabelException>()
            .WithMessage("*Row 1: the class 'purple' is not one of the task's classes [red, green, blue]*");
        multiclass.Invoking(b => b.Add(vector, true)).Should().Throw<InvalidLabelException>().WithMessage("*Categorical labels, not Binary*");
        regression.Invoking(b => b.Add(vector, Label.Categorical("3"))).Should().Throw<InvalidLabelException>().WithMessage("*Numeric labels, not Categorical*");
        multiclass.Build().Task.Should().Be(ModelTask.Multiclass("red", "green", "blue"));
        regression.Build().Labels.ToArray().Should().Equal(Label.Numeric(-3.5));
    }
}
