using FeedbackLoop.Drift;
using FeedbackLoop.Evaluation.ErrorAnalysis;
using FeedbackLoop.Numerics;

namespace FeedbackLoop.Tests.Evaluation;

// Definition under test: SliceFinder (Chung et al., ICDE 2019 / TKDE 2020) with Welch's test and Benjamini–Hochberg,
// on data with a planted problem slice, on data with none, and on every bad input.
public sealed class SliceFinderTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder()
        .Numeric("age").Numeric("income", allowMissing: true).Categorical("country").Build();

    private static readonly string[] Countries = ["DE", "FR", "IT", "US"];

    [Fact]
    public void Find_PlantedSlice_IsFoundAsTheCrossingOfItsTwoConditions()
    {
        // Errors at rate 0.1 everywhere except French customers over the age quartile (about 67): 0.4. Neither
        // condition alone reaches the effect size 0.4, so the lattice search must cross them.
        (FeatureVector[] features, double[] losses) = Data(seed: 1, n: 4_000, (age, _, country) => country == "FR" && age > 67.5 ? 0.4 : 0.1);

        IReadOnlyList<Slice> slices = SliceFinder.Find(features, losses);

        slices.Should().NotBeEmpty();
        Slice top = slices[0];
        top.Conditions.Should().HaveCount(2);
        top.Conditions.Should().Contain(c => c.Feature == "country" && c.Category == "FR");
        top.Conditions.Should().Contain(c => c.Feature == "age" && c.Lower > 60 && c.Upper > 89, "the top age quartile holds the planted errors");
        top.MeanLoss.Should().BeApproximately(0.4, 0.1);
        top.EffectSize.Should().BeGreaterThanOrEqualTo(0.4);
        top.AdjustedPValue.Should().BeLessThan(1e-6);
        top.ToString().Should().Contain("country = FR").And.Contain(" and ").And.Contain("age in (");
        slices.Should().NotContain(s => s.Conditions.Any(c => c.Feature == "income"), "income has nothing to do with the errors");
    }

    [Fact]
    public void Find_NoRelationBetweenFeaturesAndLoss_FindsNothing()
    {
        (FeatureVector[] features, double[] losses) = Data(seed: 2, n: 4_000, (_, _, _) => 0.2);

        SliceFinder.Find(features, losses).Should().BeEmpty();
    }

    [Fact]
    public void Find_MissingValuesWithHigherLoss_ReportAMissingSlice()
    {
        (FeatureVector[] features, double[] losses) = Data(seed: 3, n: 3_000, (_, income, _) => double.IsNaN(income) ? 0.6 : 0.1);

        IReadOnlyList<Slice> slices = SliceFinder.Find(features, losses);

        slices[0].Conditions.Should().ContainSingle().Which.Should().Be(new SliceCondition("income", null, null, null, true));
        slices[0].ToString().Should().Be("income is missing");
    }

    [Fact]
    public void Find_SlicesBelowTheMinimumSize_AreNotTested()
    {
        // Ages over 86.4, the top twentieth (about 50 of 1,000 examples), err at 0.6: with 20 age bins the bin is found at
        // the default minimum size of 30, and not tested at a minimum of 100.
        (FeatureVector[] features, double[] losses) = Data(seed: 4, n: 1_000, (age, _, _) => age > 86.4 ? 0.6 : 0.05);

        IReadOnlyList<Slice> byDefault = SliceFinder.Find(features, losses, new SliceFinderOptions { NumericBins = 20 });
        IReadOnlyList<Slice> large = SliceFinder.Find(features, losses, new SliceFinderOptions { NumericBins = 20, MinimumSliceSize = 100 });

        byDefault.Should().Contain(s => s.Size < 100 && s.Conditions.Count == 1 && s.Conditions[0].Feature == "age");
        large.Where(s => s.Size < 100).Should().BeEmpty();
    }

    [Fact]
    public void Find_BadInput_IsRefused()
    {
        (FeatureVector[] features, double[] losses) = Data(seed: 5, n: 100, (_, _, _) => 0.1);
        FeatureVector other = FeatureVector.Create(FeatureSchema.CreateBuilder().Numeric("x").Build(), [1.0]);
        var calls = new (Action Call, Type Exception)[]
        {
            (() => SliceFinder.Find(features, losses.AsSpan(1)), typeof(ArgumentException)),
            (() => SliceFinder.Find([], []), typeof(ArgumentException)),
            (() => SliceFinder.Find(features, losses.Select((l, i) => i == 3 ? double.NaN : l).ToArray()), typeof(ArgumentOutOfRangeException)),
            (() => SliceFinder.Find([.. features[..^1], other], losses), typeof(ArgumentException)),
            (() => SliceFinder.Find(null!, losses), typeof(ArgumentNullException)),
            (() => SliceFinder.Find(features, losses, new SliceFinderOptions { NumericBins = 1 }), typeof(ArgumentOutOfRangeException)),
            (() => SliceFinder.Find(features, losses, new SliceFinderOptions { MinimumEffectSize = 0 }), typeof(ArgumentOutOfRangeException)),
            (() => SliceFinder.Find(features, losses, new SliceFinderOptions { FalseDiscoveryRate = 1 }), typeof(ArgumentOutOfRangeException)),
            (() => SliceFinder.Find(features, losses, new SliceFinderOptions { MinimumSliceSize = 1 }), typeof(ArgumentOutOfRangeException)),
            (() => SliceFinder.Find(features, losses, new SliceFinderOptions { MaximumSlices = 0 }), typeof(ArgumentOutOfRangeException)),
        };

        foreach ((Action call, Type exception) in calls)
        {
            call.Should().Throw<Exception>().Which.Should().BeOfType(exception);
        }
    }

    [Fact]
    public void WelchTest_ConstantSamples_HaveNoTestAndBadArgumentsAreRefused()
    {
        WelchTest.Greater(10, 1, 0, 10, 0, 0).Should().BeNull();
        ((Action)(() => WelchTest.Greater(1, 0, 1, 10, 0, 1))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => WelchTest.Greater(10, 0, -1, 10, 0, 1))).Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>Ages uniform on [18, 90], incomes normal with 10% missing, countries uniform; each loss a 0/1 error at the given rate.</summary>
    private static (FeatureVector[] Features, double[] Losses) Data(ulong seed, int n, Func<double, double, string, double> errorRate)
    {
        var random = new SplitMix64(seed);
        var features = new FeatureVector[n];
        double[] losses = new double[n];
        for (int i = 0; i < n; i++)
        {
            double age = 18 + (72 * random.NextDouble());
            double income = random.NextDouble() < 0.1 ? double.NaN : 30_000 + (20_000 * random.NextDouble());
            string country = Countries[random.NextInt32(Countries.Length)];
            features[i] = FeatureVector.Create(Schema, [age, income], [country]);
            losses[i] = random.NextDouble() < errorRate(age, income, country) ? 1 : 0;
        }

        return (features, losses);
    }
}
