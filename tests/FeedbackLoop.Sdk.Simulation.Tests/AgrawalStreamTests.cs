using System.Globalization;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class AgrawalStreamTests
{
    // Hand-checked against the definitions of Agrawal, Imielinski & Swami (1993), section 5 (F1..F10 = 0..9).
    [Theory]
    [InlineData(0, 30, 60_000, 0, 0, 0.0, 1, true)]      // F1: age < 40
    [InlineData(0, 50, 60_000, 0, 0, 0.0, 1, false)]     // F1: 40 ≤ age < 60 is group B
    [InlineData(0, 60, 60_000, 0, 0, 0.0, 1, true)]      // F1: age ≥ 60
    [InlineData(1, 45, 80_000, 0, 0, 0.0, 1, true)]      // F2: middle band, 75K ≤ salary ≤ 125K
    [InlineData(1, 45, 60_000, 0, 0, 0.0, 1, false)]
    [InlineData(2, 65, 60_000, 0, 1, 0.0, 1, false)]     // F3: age ≥ 60 needs elevel 2..4
    [InlineData(3, 30, 60_000, 0, 1, 0.0, 1, true)]      // F4: young, elevel 0..1, 25K ≤ salary ≤ 75K
    [InlineData(3, 30, 60_000, 0, 3, 0.0, 1, true)]      // F4: young, elevel 2..4, 50K ≤ salary ≤ 100K
    [InlineData(3, 30, 40_000, 0, 3, 0.0, 1, false)]
    [InlineData(4, 30, 60_000, 150_000, 0, 0.0, 1, true)] // F5: young, 50K ≤ salary ≤ 100K, 100K ≤ loan ≤ 300K
    [InlineData(4, 30, 30_000, 150_000, 0, 0.0, 1, false)] // F5: otherwise 200K ≤ loan ≤ 400K
    [InlineData(5, 30, 40_000, 0, 0, 0.0, 1, true)]      // F6: young, salary + commission = 40K + 15K in [50K, 100K]
    [InlineData(5, 50, 40_000, 0, 0, 0.0, 1, false)]     // F6: middle band needs 75K..125K
    [InlineData(6, 30, 100_000, 100_000, 0, 0.0, 1, true)]  // F7: 67,000 − 20,000 − 20,000 > 0
    [InlineData(6, 30, 100_000, 300_000, 0, 0.0, 1, false)] // F7: 67,000 − 60,000 − 20,000 < 0
    [InlineData(7, 30, 100_000, 0, 4, 0.0, 1, true)]     // F8: 67,000 − 20,000 − 20,000 > 0
    [InlineData(7, 30, 40_000, 0, 4, 0.0, 1, false)]     // F8: with commission 15K: 36,850 − 20,000 − 20,000 < 0
    [InlineData(8, 30, 100_000, 100_000, 2, 0.0, 1, true)]  // F9: 67,000 − 10,000 − 20,000 − 10,000 > 0
    [InlineData(8, 30, 100_000, 300_000, 2, 0.0, 1, false)] // F9: 67,000 − 10,000 − 60,000 − 10,000 < 0
    [InlineData(9, 30, 20_000, 0, 4, 500_000, 25, true)]  // F10: equity 0.1 × 500,000 × 5 lifts 23,450 − 20,000 + 50,000 − 10,000 > 0
    [InlineData(9, 30, 20_000, 0, 4, 500_000, 10, false)] // F10: no equity before 20 years: 23,450 − 20,000 − 10,000 < 0
    public void Label_HandCheckedPeople_FollowThePublishedFunctions(int function, int age, double salary, double loan, int elevel, double hvalue, int hyears, bool groupA)
    {
        var commission = salary >= 75_000 ? 0 : 15_000;
        var person = new AgrawalPerson(salary, commission, age, elevel, 5, 4, hvalue, hyears, loan);

        AgrawalStream.Label(function, person).Should().Be(groupA);
    }

    [Fact]
    public void Next_WithoutPerturbation_DrawsTheAttributesOfThePaper()
    {
        var stream = new AgrawalStream(11, [0], [], perturbation: 0);

        var samples = stream.Take(20_000).Select(s => s.Features).ToList();

        foreach (var features in samples)
        {
            var salary = features.GetNumeric("salary");
            var commission = features.GetNumeric("commission");
            var zipcode = int.Parse(features.GetCategorical("zipcode")!, CultureInfo.InvariantCulture);
            var k = 9 - zipcode;
            salary.Should().BeInRange(20_000, 150_000);
            (commission == 0).Should().Be(salary >= 75_000);
            if (commission != 0)
            {
                commission.Should().BeInRange(10_000, 75_000);
            }

            features.GetNumeric("hvalue").Should().BeInRange(50_000.0 * k, 150_000.0 * k);
            features.GetNumeric("age").Should().BeInRange(20, 80).And.Be(Math.Floor(features.GetNumeric("age")));
            features.GetNumeric("hyears").Should().BeInRange(1, 30);
            features.GetNumeric("loan").Should().BeInRange(0, 500_000);
        }

        samples.Select(f => f.GetCategorical("elevel")).Distinct().Order().Should().Equal("0", "1", "2", "3", "4");
        samples.Select(f => f.GetCategorical("car")).Distinct().Should().HaveCount(20);
        samples.Select(f => f.GetCategorical("zipcode")).Distinct().Should().HaveCount(9);
        samples.Average(f => f.GetNumeric("age")).Should().BeApproximately(50, 0.5);
    }

    [Fact]
    public void Next_WithoutPerturbationOrNoise_LabelsEverySampleByItsFunctionAndSwitchesAtTheDriftPoints()
    {
        var stream = new AgrawalStream(5, [0, 6, 0], [500, 1_000], perturbation: 0);

        foreach (var sample in stream.Take(1_500))
        {
            var f = sample.Features;
            var person = new AgrawalPerson(
                f.GetNumeric("salary"), f.GetNumeric("commission"), (int)f.GetNumeric("age"), Code(f, "elevel"), Code(f, "car"), Code(f, "zipcode"),
                f.GetNumeric("hvalue"), (int)f.GetNumeric("hyears"), f.GetNumeric("loan"));
            sample.Concept.Should().Be(sample.Index < 500 ? 0 : sample.Index < 1_000 ? 1 : 2);
            sample.Label.AsBoolean().Should().Be(AgrawalStream.Label(stream.Functions[sample.Concept], person));
        }
    }

    [Fact]
    public void Next_Perturbation_MovesNumericAttributesWithinTheirRanges()
    {
        var exact = new AgrawalStream(9, [1], [], perturbation: 0).Take(5_000).ToList();
        var perturbed = new AgrawalStream(9, [1], [], perturbation: 0.05).Take(5_000).ToList();

        perturbed.Should().OnlyContain(s => s.Features.GetNumeric("salary") >= 20_000 && s.Features.GetNumeric("salary") <= 150_000
            && s.Features.GetNumeric("age") >= 20 && s.Features.GetNumeric("age") <= 80 && s.Features.GetNumeric("loan") >= 0);
        perturbed.Count(s => s.Features.GetNumeric("age") != Math.Floor(s.Features.GetNumeric("age"))).Should().BeGreaterThan(4_700, "ages move off the integers (only those clipped at 20 or 80 stay whole)");
        Math.Abs(perturbed[0].Features.GetNumeric("salary") - exact[0].Features.GetNumeric("salary")).Should().BeLessThanOrEqualTo(0.05 * 130_000, "the first salary is drawn first in both streams");
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Constructor_BadPerturbation_Throws(double perturbation) =>
        FluentActions.Invoking(() => new AgrawalStream(1, [0], [], perturbation)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*fraction*");

    [Fact]
    public void Constructor_UnknownFunction_ThrowsNamingTheRange()
    {
        FluentActions.Invoking(() => new AgrawalStream(1, [0, 10], [5])).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Agrawal concepts are indexes 0..9*");
        FluentActions.Invoking(() => AgrawalStream.Label(10, default)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static int Code(FeatureVector features, string name) => int.Parse(features.GetCategorical(name)!, CultureInfo.InvariantCulture);
}
