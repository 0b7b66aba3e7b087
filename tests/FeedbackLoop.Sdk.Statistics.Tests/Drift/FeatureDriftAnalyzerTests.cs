using FeedbackLoop.Drift;
using FeedbackLoop.Inference;

namespace FeedbackLoop.Tests.Drift;

public sealed class FeatureDriftAnalyzerTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder()
        .Numeric("income")
        .Numeric("rooms")
        .Numeric("flag")
        .Categorical("country")
        .Categorical("channel", allowMissing: true)
        .Build();

    private static readonly string[] Countries = ["FR", "DE", "IT", "ES"];

    [Fact]
    public void Compare_SameDistribution_FindsNoDriftAndChoosesTestsByFeature()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 800));

        DatasetDriftReport report = analyzer.Compare(Sample(seed: 2, count: 600));

        report.IsDrift.Should().BeFalse();
        report.Features.Select(f => f.Distribution.Method).Should().Equal("ks", "chisquare", "z", "chisquare", "z");
        report.Features.Should().OnlyContain(f => !f.IsDrift && !f.MissingRate.IsDrift && !f.UnseenCategoryDrift);
        report.Correction.Should().Be(MultipleTestingCorrection.BenjaminiHochberg);
    }

    [Fact]
    public void Compare_LargeReference_UsesDistances()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 2_000));

        DatasetDriftReport report = analyzer.Compare(Sample(seed: 2, count: 2_000));

        report.Features.Select(f => f.Distribution.Method).Should().Equal("wasserstein", "jensenshannon", "jensenshannon", "jensenshannon", "jensenshannon");
        report.Features.Should().OnlyContain(f => f.AdjustedPValue == null && !f.IsDrift);
    }

    [Fact]
    public void Compare_ShiftedIncome_FlagsOnlyIncome()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 800));

        DatasetDriftReport report = analyzer.Compare(Sample(seed: 3, count: 600, incomeShift: 0.5));

        report.Features.Where(f => f.IsDrift).Select(f => f.Feature).Should().Equal("income");
        report.DriftedShare.Should().Be(0.2);
        report.IsDrift.Should().BeFalse("one feature in five is below the 50% dataset share");
    }

    [Fact]
    public void Compare_MissingRateRises_IsASignalOfItsOwn()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 800, missingRate: 0.05));

        FeatureDriftResult channel = analyzer.Compare(Sample(seed: 4, count: 600, missingRate: 0.4)).Features.Single(f => f.Feature == "channel");

        channel.MissingRate.IsDrift.Should().BeTrue();
        channel.MissingRate.Method.Should().Be("z");
        channel.Distribution.CurrentCount.Should().BeLessThan(600, "missing values are left out of the distribution test");
    }

    [Fact]
    public void Compare_UnseenCategory_IsCountedListedAndTested()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 800));

        FeatureDriftResult country = analyzer.Compare(Sample(seed: 5, count: 600, unseenCountryShare: 0.1)).Features.Single(f => f.Feature == "country");

        country.UnseenCategoryCount.Should().BeInRange(40, 80);
        country.UnseenCategories.Should().Equal("XX");
        country.UnseenCategoryDrift.Should().BeTrue();
        country.IsDrift.Should().BeTrue("the chi-square table has a column the reference never had");
    }

    [Fact]
    public void Compare_PValues_AreCorrectedAcrossFeatures()
    {
        var none = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 800), new() { Correction = MultipleTestingCorrection.None });
        var bonferroni = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 800), new() { Correction = MultipleTestingCorrection.Bonferroni });
        var current = Sample(seed: 6, count: 600, incomeShift: 0.08);

        var raw = none.Compare(current).Features;
        var corrected = bonferroni.Compare(current).Features;

        double[] expected = MultipleTesting.Adjust(raw.Select(f => f.Distribution.PValue!.Value).ToArray(), MultipleTestingCorrection.Bonferroni);
        corrected.Select(f => f.AdjustedPValue!.Value).Should().Equal(expected);
        raw.Select(f => f.AdjustedPValue!.Value).Should().Equal(raw.Select(f => f.Distribution.PValue!.Value));
    }

    [Fact]
    public void Compare_EmptyCurrent_IsInsufficientNotDrift()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 100));

        DatasetDriftReport report = analyzer.Compare([]);

        report.Features.Should().OnlyContain(f => f.Distribution.Outcome == TwoSampleOutcome.InsufficientData && !f.IsDrift);
        report.IsDrift.Should().BeFalse();
    }

    [Fact]
    public void Compare_CustomSelector_IsUsedForEveryFeature()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 300), new() { TestSelector = _ => new PopulationStabilityIndex(DistributionBinning.Categories) });

        analyzer.Compare(Sample(seed: 2, count: 300)).Features.Should().OnlyContain(f => f.Distribution.Method == "psi");
    }

    [Fact]
    public void Constructor_VectorOfAnotherSchema_Throws()
    {
        var other = FeatureSchema.CreateBuilder().Numeric("x").Build();

        Action act = () => _ = new FeatureDriftAnalyzer(Schema, [FeatureVector.Create(other, [1.0])]);

        act.Should().Throw<ArgumentException>().WithMessage("The vector at index 0 follows the schema*").WithParameterName("reference");
    }

    [Fact]
    public void Compare_NullVector_Throws()
    {
        var analyzer = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 10));

        Action act = () => analyzer.Compare([null!]);

        act.Should().Throw<ArgumentNullException>().WithMessage("The vector at index 0 is null*");
    }

    [Fact]
    public void Constructor_SelectorReturnsNull_Throws()
    {
        Action act = () => _ = new FeatureDriftAnalyzer(Schema, Sample(seed: 1, count: 10), new() { TestSelector = _ => null! });

        act.Should().Throw<InvalidOperationException>().WithMessage("*'income'*");
    }

    [Theory]
    [InlineData(0.0, 0.05, 0.01, MultipleTestingCorrection.None, "*DatasetDriftShare*")]
    [InlineData(0.5, 1.0, 0.01, MultipleTestingCorrection.None, "*MissingRateAlpha*")]
    [InlineData(0.5, 0.05, 1.0, MultipleTestingCorrection.None, "*UnseenCategoryShare*")]
    [InlineData(0.5, 0.05, 0.01, (MultipleTestingCorrection)8, "*Correction*")]
    public void Constructor_InvalidOptions_Throw(double share, double alpha, double unseen, MultipleTestingCorrection correction, string message)
    {
        var options = new FeatureDriftOptions { DatasetDriftShare = share, MissingRateAlpha = alpha, UnseenCategoryShare = unseen, Correction = correction };

        Action act = () => _ = new FeatureDriftAnalyzer(Schema, [], options);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    [Theory]
    [InlineData(FeatureKind.Numeric, 50, 1_000, "ks")]
    [InlineData(FeatureKind.Numeric, 5, 1_000, "chisquare")]
    [InlineData(FeatureKind.Numeric, 2, 1_000, "z")]
    [InlineData(FeatureKind.Categorical, 3, 1_000, "chisquare")]
    [InlineData(FeatureKind.Categorical, 2, 10, "z")]
    [InlineData(FeatureKind.Numeric, 50, 1_001, "wasserstein")]
    [InlineData(FeatureKind.Numeric, 4, 1_001, "jensenshannon")]
    [InlineData(FeatureKind.Categorical, 40, 50_000, "jensenshannon")]
    public void DriftTestSelection_Default_FollowsEvidentlysRule(FeatureKind kind, int distinct, long size, string expected)
    {
        var feature = new FeatureDefinition("f", kind, 0, false);

        DriftTestSelection.Default(new FeatureDriftProfile(feature, distinct, size)).Name.Should().Be(expected);
    }

    private static FeatureVector[] Sample(int seed, int count, double incomeShift = 0, double missingRate = 0.1, double unseenCountryShare = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => FeatureVector.Create(
            Schema,
            [random.NextDouble() + incomeShift, random.Next(3), random.NextDouble() < 0.3 ? 1 : 0],
            [
                random.NextDouble() < unseenCountryShare ? "XX" : Countries[random.Next(Countries.Length)],
                random.NextDouble() < missingRate ? null : (random.NextDouble() < 0.5 ? "web" : "app"),
            ])).ToArray();
    }
}
