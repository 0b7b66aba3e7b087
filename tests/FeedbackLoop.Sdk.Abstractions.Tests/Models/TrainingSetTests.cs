using FeedbackLoop.Models;

namespace FeedbackLoop.Tests.Models;

public class TrainingSetTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x").Categorical("region", allowMissing: true).Build();

    [Fact]
    public void Build_RowsByColumn_WithLabelsWeightsAndSources()
    {
        var vector = FeatureVector.Create(Schema, [1.5], ["eu"]);
        var builder = TrainingSet.CreateBuilder(Schema).Add(vector, true, weight: 2.0, source: "billing");
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
        var act = () => TrainingSet.CreateBuilder(Schema).Add(FeatureVector.Create(Schema, [1.0], [null]), true, weight);

        act.Should().Throw<ArgumentException>().WithMessage("*Row 0*weight*");
    }

    [Fact]
    public void Add_BadRows_ThrowNamingTheRow()
    {
        var builder = TrainingSet.CreateBuilder(Schema).Add(FeatureVector.Create(Schema, [1.0], [null]), true);
        var other = FeatureSchema.CreateBuilder().Numeric("y").Build();

        builder.Invoking(b => b.Add(FeatureVector.Create(other, [1.0]), true)).Should().Throw<ArgumentException>().WithMessage("*Row 1 follows schema*");
        builder.Invoking(b => b.Add(FeatureVector.Create(Schema, [1.0], [null]), Label.None)).Should().Throw<ArgumentException>().WithMessage("*Row 1 has no label*");
        builder.Invoking(b => b.Add(FeatureVector.Create(Schema, [1.0], [null]), true, source: "")).Should().Throw<ArgumentException>();
        builder.Invoking(b => b.Add(Schema.CreateVector(), true)).Should().Throw<FeatureValidationException>().WithMessage("*Row 1*'x'*");
        builder.Count.Should().Be(1, "a refused row is not added");
    }
}
