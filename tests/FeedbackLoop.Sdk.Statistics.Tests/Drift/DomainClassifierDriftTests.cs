using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

public sealed class DomainClassifierDriftTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("a").Numeric("b").Categorical("c").Build();

    [Fact]
    public void Compare_OneDistribution_HasAucNearHalfAndNoDrift()
    {
        var result = new DomainClassifierDrift(Schema).Compare(Sample(1, 400, shift: 0), Sample(2, 400, shift: 0));

        result.Auc.Should().BeInRange(0.4, 0.6);
        result.IsDrift.Should().BeFalse();
        result.FoldAucs.Should().HaveCount(5);
        (result.LowerAuc, result.UpperAuc).Should().Be((0.45, 0.65));
    }

    [Fact]
    public void Compare_OneFeatureShifted_IsDrift()
    {
        var result = new DomainClassifierDrift(Schema).Compare(Sample(1, 400, shift: 0), Sample(3, 400, shift: 1.0));

        // Two unit normals one standard deviation apart are separated with AUC Φ(1 / √2) = 0.76.
        result.Auc.Should().BeInRange(0.7, 0.82);
        result.IsDrift.Should().BeTrue();
        (result.ReferenceCount, result.CurrentCount).Should().Be((400, 400));
    }

    [Fact]
    public void Compare_SameSeed_IsDeterministic()
    {
        var detector = new DomainClassifierDrift(Schema, new() { Seed = 9 });

        detector.Compare(Sample(1, 100, 0), Sample(2, 100, 0.5)).FoldAucs
            .Should().Equal(detector.Compare(Sample(1, 100, 0), Sample(2, 100, 0.5)).FoldAucs);
    }

    [Fact]
    public void Compare_FewerVectorsThanFolds_Throws()
    {
        Action act = () => new DomainClassifierDrift(Schema).Compare(Sample(1, 100, 0), Sample(2, 4, 0));
        act.Should().Throw<ArgumentException>().WithMessage("The current set has 4 vectors; at least 5*").WithParameterName("current");
    }

    [Fact]
    public void Compare_VectorOfAnotherSchema_Throws()
    {
        var other = FeatureSchema.CreateBuilder().Numeric("x").Build();
        FeatureVector[] current = [.. Sample(2, 9, 0), FeatureVector.Create(other, [1.0])];

        Action act = () => new DomainClassifierDrift(Schema).Compare(Sample(1, 10, 0), current);

        act.Should().Throw<ArgumentException>().WithMessage("The vector at index 9 follows the schema*");
    }

    [Theory]
    [InlineData(1, 0.45, 0.65, "*Folds*")]
    [InlineData(5, 0.6, 0.65, "*LowerAuc*")]
    [InlineData(5, 0.45, 1.2, "*UpperAuc*")]
    public void Constructor_InvalidOptions_Throw(int folds, double lower, double upper, string message)
    {
        Action act = () => _ = new DomainClassifierDrift(Schema, new() { Folds = folds, LowerAuc = lower, UpperAuc = upper });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    private static FeatureVector[] Sample(int seed, int count, double shift)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => FeatureVector.Create(
            Schema,
            [Normal(random) + shift, Normal(random)],
            [random.NextDouble() < 0.5 ? "x" : "y"]))];
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
