using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// Bad input for every two-sample test: refused values name the sample and the index, small samples give an
// insufficient-data verdict with a reason, invalid parameters name the parameter.
public sealed class TwoSampleTestInputTests
{
    private static readonly string[] Numeric = ["ks", "mannwhitneyu", "cramervonmises", "anderson_ksamp", "wasserstein", "wasserstein_normed", "energy", "psi:q10", "kl_div:q10", "jensenshannon:q10", "hellinger:q10", "tvd:q10", "linf:q10"];
    private static readonly string[] Categorical = ["chisquare", "g-test", "psi:cat", "jensenshannon:cat", "linf:cat"];
    private static readonly string[] Binary = ["z", "fisher"];

    public static TheoryData<string> NumericMethods => new(Numeric);

    public static TheoryData<string> NumericDistances => new(Numeric.Where(m => m is not ("ks" or "mannwhitneyu" or "cramervonmises" or "anderson_ksamp")));

    public static TheoryData<string> CategoricalMethods => new(Categorical);

    public static TheoryData<string> BinaryMethods => new(Binary);

    public static TheoryData<string> AllMethods => new([.. Numeric, .. Categorical, .. Binary]);

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Prepare_NaNInReference_ThrowsNamingSampleAndIndex(string method)
    {
        Action act = () => TwoSampleReference.Create(method).Prepare([0, double.NaN, 1]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The reference sample has NaN at index 1*").And.ParamName.Should().Be("reference");
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Compare_InfinityInCurrent_ThrowsNamingSampleAndIndex(string method)
    {
        var prepared = TwoSampleReference.Create(method).Prepare([0, 1, 1, 0]);

        Action positive = () => prepared.Compare([1, 0, double.PositiveInfinity]);
        Action negative = () => prepared.Compare([double.NegativeInfinity]);

        positive.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The current sample has Infinity at index 2*").And.ParamName.Should().Be("current");
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The current sample has -Infinity at index 0*");
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Compare_EmptyOrOneValueSamples_AreInsufficientWithAReason(string method)
    {
        var test = TwoSampleReference.Create(method);
        double[] sample = [0, 1, 1, 0, 1];

        var emptyCurrent = test.Test(sample, []);
        var oneCurrent = test.Test(sample, [1]);
        var emptyReference = test.Test([], sample);
        var oneReference = test.Test([0], sample);

        foreach (var result in new[] { emptyCurrent, oneCurrent, emptyReference, oneReference })
        {
            result.Outcome.Should().Be(TwoSampleOutcome.InsufficientData);
            result.IsDrift.Should().BeFalse();
            result.Statistic.Should().Be(double.NaN);
        }

        emptyCurrent.Reason.Should().Be("the current sample has 0 values; at least 2 are needed");
        oneCurrent.Reason.Should().Be("the current sample has 1 values; at least 2 are needed");
        emptyReference.Reason.Should().Be("the reference sample has 0 values; at least 2 are needed");
        oneReference.ReferenceCount.Should().Be(1);
        oneReference.CurrentCount.Should().Be(5);
    }

    [Theory]
    [MemberData(nameof(NumericDistances))]
    public void Compare_ConstantSamples_GiveADefinedFiniteAnswer(string method)
    {
        var test = TwoSampleReference.Create(method);

        var same = test.Test([3, 3, 3, 3], [3, 3, 3]);

        // A constant reference has a single bin edge, so for binned distances only values below it fall in another bin.
        var different = test.Test([3, 3, 3, 3], [2, 2, 2]);

        same.Statistic.Should().Be(0);
        same.IsDrift.Should().BeFalse();
        double.IsFinite(different.Statistic).Should().BeTrue();
        different.IsDrift.Should().BeTrue();
    }

    [Fact]
    public void Compare_KolmogorovSmirnovOnConstantSamples_IsDefined()
    {
        var test = new KolmogorovSmirnovTest();

        var same = test.Test([3, 3, 3, 3], [3, 3, 3]);
        var different = test.Test([3, 3, 3, 3], [4, 4, 4]);

        (same.Statistic, same.PValue).Should().Be((0.0, 1.0));
        different.Statistic.Should().Be(1);
        different.PValue.Should().BeApproximately(2.0 / 35, 1e-15, "the exact probability that two samples of 4 and 3 separate completely");
    }

    [Fact]
    public void Compare_RankTestsOnConstantSamples_AreDefined()
    {
        double[] constant = [3, 3, 3, 3];

        new MannWhitneyUTest().Test(constant, [3, 3, 3]).PValue.Should().Be(1, "every value tied: no evidence of a shift");
        new CramerVonMisesTest().Test(constant, [3, 3, 3]).PValue.Should().BeInRange(0, 1);
        var anderson = new AndersonDarlingTest().Test(constant, [3, 3, 3]);
        anderson.Outcome.Should().Be(TwoSampleOutcome.InsufficientData);
        anderson.Reason.Should().Contain("two distinct values");
        new AndersonDarlingTest().Test(constant, [4, 4, 4]).Outcome.Should().NotBe(TwoSampleOutcome.InsufficientData);
    }

    [Theory]
    [MemberData(nameof(BinaryMethods))]
    public void Compare_NonBinaryValue_Throws(string method)
    {
        var prepared = TwoSampleReference.Create(method).Prepare([0, 1, 1]);

        Action act = () => prepared.Compare([0, 1, 0.5]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The current sample has 0.5 at index 2: a binary test takes only 0 and 1.*");
    }

    [Theory]
    [MemberData(nameof(CategoricalMethods))]
    public void Compare_NotACategoryCode_Throws(string method)
    {
        var prepared = TwoSampleReference.Create(method).Prepare([0, 1, 2]);

        Action fractional = () => prepared.Compare([1, 2.5]);
        Action negative = () => prepared.Compare([-1, 2]);
        Action huge = () => prepared.Compare([1e9, 2]);

        fractional.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The current sample has 2.5 at index 1: category codes must be whole numbers*");
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*-1 at index 0*");
        huge.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*whole numbers from 0 to 16777215*");
    }

    [Fact]
    public void Compare_CategoryUnseenInReference_CountsAsANewCategory()
    {
        var result = new ChiSquareTest().Test([0, 0, 1, 1, 0, 1], [0, 1, 7, 7, 7, 7]);

        // Columns 0, 1 and 7 (codes 2 to 6 are empty on both sides and dropped): 2 degrees of freedom.
        result.IsDrift.Should().BeTrue();
        new LInfinityDistance(DistributionBinning.Categories).Test([0, 0, 1, 1], [7, 7, 7, 7]).Statistic.Should().Be(1);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_DistanceThresholdNotPositiveFinite_Throws(double threshold)
    {
        Action[] constructors =
        [
            () => _ = new WassersteinDistance(threshold: threshold),
            () => _ = new EnergyDistance(threshold),
            () => _ = new PopulationStabilityIndex(threshold: threshold),
            () => _ = new KullbackLeiblerDivergence(threshold: threshold),
            () => _ = new JensenShannonDistance(threshold: threshold),
            () => _ = new HellingerDistance(threshold: threshold),
            () => _ = new TotalVariationDistance(threshold: threshold),
            () => _ = new LInfinityDistance(threshold: threshold),
        ];

        foreach (Action constructor in constructors)
        {
            constructor.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(threshold)).WithMessage("The distance threshold must be*");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Constructor_AlphaOutsideZeroToOne_Throws(double alpha)
    {
        Action[] constructors =
        [
            () => _ = new ChiSquareTest(alpha), () => _ = new GTest(alpha), () => _ = new ProportionZTest(alpha), () => _ = new FisherExactTest(alpha),
            () => _ = new KolmogorovSmirnovTest(alpha), () => _ = new MannWhitneyUTest(alpha), () => _ = new CramerVonMisesTest(alpha), () => _ = new AndersonDarlingTest(alpha),
        ];

        foreach (Action constructor in constructors)
        {
            constructor.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(alpha)).WithMessage("The significance level must be*");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(10_001)]
    public void QuantileBins_CountOutOfRange_Throws(int count)
    {
        Action act = () => DistributionBinning.QuantileBins(count);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(count)).WithMessage("*between 2 and 10,000*");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.02)]
    [InlineData(double.NaN)]
    public void Constructor_EpsilonOutOfRange_Throws(double epsilon)
    {
        Action psi = () => _ = new PopulationStabilityIndex(epsilon: epsilon);
        Action kl = () => _ = new KullbackLeiblerDivergence(epsilon: epsilon);

        psi.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(epsilon));
        kl.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(epsilon));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_JensenShannonBaseNotAboveOne_Throws(double logarithmBase)
    {
        Action act = () => _ = new JensenShannonDistance(logarithmBase: logarithmBase);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(logarithmBase));
    }

    [Fact]
    public void Prepare_ReferenceOnce_GivesTheSameResultAsOneShotTests()
    {
        var random = new Random(3);
        double[] reference = Enumerable.Range(0, 500).Select(_ => random.NextDouble()).ToArray();
        var prepared = new PopulationStabilityIndex().Prepare(reference);

        for (int i = 0; i < 3; i++)
        {
            double[] current = Enumerable.Range(0, 300).Select(_ => random.NextDouble() + (i * 0.1)).ToArray();
            prepared.Compare(current).Should().Be(new PopulationStabilityIndex().Test(reference, current));
        }
    }
}
