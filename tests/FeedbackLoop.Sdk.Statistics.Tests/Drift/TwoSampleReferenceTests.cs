using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// Every case of Reference/two_sample_reference.json (scipy 1.10.1, numpy 1.24.2): statistics and p-values match to
// 1e-9 relative. An absolute floor of 1e-14 covers expected values that are 0 in exact arithmetic, where both sides
// hold rounding noise.
public sealed class TwoSampleReferenceTests
{
    public static IEnumerable<object[]> Distances => TwoSampleReference.CaseIndexes("").Where(c => ((string)c[2]) is not ("ks" or "mannwhitneyu" or "cramervonmises" or "anderson_ksamp" or "chisquare" or "g-test" or "z" or "fisher"));

    public static IEnumerable<object[]> PValueTests => TwoSampleReference.CaseIndexes("").Where(c => ((string)c[2]) is "ks" or "mannwhitneyu" or "cramervonmises" or "anderson_ksamp" or "chisquare" or "g-test" or "z" or "fisher");

    [Theory]
    [MemberData(nameof(Distances))]
    public void Compare_Distance_MatchesScipy(int index, string data, string method)
    {
        var golden = TwoSampleReference.Cases[index];

        TwoSampleResult result = TwoSampleReference.Create(method).Test(golden.Reference, golden.Current);

        result.Method.Should().NotBeNullOrEmpty();
        AssertClose(result.Statistic, golden.Statistic, $"{method} on {data}");
        result.PValue.Should().BeNull();
        result.ReferenceCount.Should().Be(golden.Reference.Length);
        result.CurrentCount.Should().Be(golden.Current.Length);
        result.IsDrift.Should().Be(result.Statistic >= result.Threshold);
    }

    [Theory]
    [MemberData(nameof(PValueTests))]
    public void Compare_PValueTest_MatchesScipy(int index, string data, string method)
    {
        var golden = TwoSampleReference.Cases[index];

        TwoSampleResult result = TwoSampleReference.Create(method).Test(golden.Reference, golden.Current);

        AssertClose(result.Statistic, golden.Statistic, $"{method} statistic on {data}");
        AssertClose(result.PValue!.Value, golden.PValue!.Value, $"{method} p-value on {data}");
        result.IsDrift.Should().Be(result.PValue < 0.05);
    }

    [Fact]
    public void ReferenceFile_CoversEveryMethod()
    {
        string[] methods = ["ks", "mannwhitneyu", "cramervonmises", "anderson_ksamp", "wasserstein", "wasserstein_normed", "energy", "psi", "kl_div", "jensenshannon", "hellinger", "tvd", "linf", "chisquare", "g-test", "z", "fisher"];
        TwoSampleReference.Cases.Select(c => c.Method.Split(':')[0]).Distinct().Should().Contain(methods);
        TwoSampleReference.Cases.Should().Contain(c => c.Reference.Length == 1_000_000);
    }

    internal static void AssertClose(double actual, double expected, string because)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            actual.Should().Be(expected, because);
            return;
        }

        Math.Abs(actual - expected).Should().BeLessThanOrEqualTo((1e-9 * Math.Abs(expected)) + 1e-14, because);
    }
}
