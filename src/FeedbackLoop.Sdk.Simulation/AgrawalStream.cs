using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// The loan-applicant stream of Agrawal, Imielinski &amp; Swami (1993), "Database mining: a performance perspective",
/// IEEE Transactions on Knowledge and Data Engineering 5(6), section 5: nine attributes of a person and ten
/// classification functions (numbered 0..9 here for the paper's F1..F10), switching abruptly at drift points.
/// </summary>
/// <remarks>
/// <para>
/// Attributes, as the paper draws them: <c>salary</c> uniform in [20,000, 150,000]; <c>commission</c> 0 when the
/// salary is at least 75,000, otherwise uniform in [10,000, 75,000]; <c>age</c> uniform in the integers 20..80;
/// <c>elevel</c> uniform in 0..4; <c>car</c> uniform in 1..20; <c>zipcode</c> uniform in 0..8; <c>hvalue</c> uniform in
/// [0.5 k, 1.5 k] × 100,000 with <c>k = 9 − zipcode</c> (the reading of MOA's <c>AgrawalGenerator</c>);
/// <c>hyears</c> uniform in 1..30; <c>loan</c> uniform in [0, 500,000]. <c>elevel</c>, <c>car</c> and <c>zipcode</c>
/// are categorical features (their values' text), the other six numeric.
/// </para>
/// <para>
/// The label (group A = <see langword="true"/>) is computed from the exact attributes; then each numeric attribute is
/// perturbed, as in the paper's noisy variant and MOA (default 5%): moved by <c>p × range × u</c>, <c>u</c> uniform in
/// [−1, 1], and clipped to its range (the ranges above; commission's is [0, 75,000], hvalue's [0, 1,350,000]).
/// </para>
/// <para>
/// All randomness comes from <c>new Random(seed)</c>, in a fixed order per sample (the nine attributes in the order
/// above, the six perturbations, then the label noise). Not thread-safe: give each consumer its own instance.
/// </para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A data stream in the stream-mining sense (MOA, River), not a System.IO.Stream; the suffix is the field's own term.")]
public sealed class AgrawalStream : IDriftingStream
{
    /// <summary>The number of classification functions.</summary>
    public const int FunctionCount = 10;

    private static readonly string[] Digits = [.. Enumerable.Range(0, 21).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private readonly Random _random;
    private readonly ConceptSequence _functions;
    private readonly double[] _numeric = new double[6];
    private readonly string?[] _categorical = new string?[3];
    private long _nextIndex;

    /// <summary>Creates an Agrawal stream.</summary>
    /// <param name="seed">The seed of the stream's <see cref="Random"/>.</param>
    /// <param name="functions">
    /// The sequence of classification functions, each 0..9 (the paper's F1..F10); entry <c>k</c> labels the samples
    /// from drift point <c>k - 1</c> (or index 0) up to drift point <c>k</c>. One more entry than
    /// <paramref name="driftPoints"/>, consecutive entries different; a function may recur.
    /// </param>
    /// <param name="driftPoints">The indexes at which the next function becomes active: positive and strictly increasing; empty for no drift.</param>
    /// <param name="perturbation">The fraction of its range by which each numeric attribute is perturbed, in [0, 1]. Default 0.05 (MOA, River).</param>
    /// <param name="noise">The probability, in [0, 0.5), that a label is flipped. Default 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="functions"/> or <paramref name="driftPoints"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="perturbation"/> is outside [0, 1] or NaN, <paramref name="noise"/> outside [0, 0.5), a drift point
    /// not positive, or a function not 0..9.
    /// </exception>
    /// <exception cref="ArgumentException">Drift points are not strictly increasing, the counts do not match, or two consecutive functions are the same.</exception>
    public AgrawalStream(int seed, IReadOnlyList<int> functions, IReadOnlyList<long> driftPoints, double perturbation = 0.05, double noise = 0.0)
    {
        if (!(perturbation >= 0.0 && perturbation <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(perturbation), perturbation, "The perturbation is a fraction of each attribute's range, in [0, 1].");
        }

        Perturbation = perturbation;
        Noise = StreamArguments.Noise(noise, nameof(noise));
        _functions = new ConceptSequence(functions, driftPoints, FunctionCount, "Agrawal");
        _random = new Random(seed);
        Schema = FeatureSchema.CreateBuilder()
            .Numeric("salary").Numeric("commission").Numeric("age").Numeric("hvalue").Numeric("hyears").Numeric("loan")
            .Categorical("elevel").Categorical("car").Categorical("zipcode")
            .Build();
    }

    /// <inheritdoc />
    /// <value>Numeric <c>salary</c>, <c>commission</c>, <c>age</c>, <c>hvalue</c>, <c>hyears</c>, <c>loan</c>; categorical <c>elevel</c>, <c>car</c>, <c>zipcode</c>.</value>
    public FeatureSchema Schema { get; }

    /// <inheritdoc />
    /// <value><see cref="ModelTask.Binary"/>.</value>
    public ModelTask Task => ModelTask.Binary;

    /// <inheritdoc />
    public IReadOnlyList<long> DriftPoints => _functions.DriftPoints;

    /// <summary>Gets the sequence of classification functions (0..9), one per span between drift points.</summary>
    public IReadOnlyList<int> Functions => _functions.Concepts;

    /// <summary>Gets the fraction of its range by which each numeric attribute is perturbed.</summary>
    public double Perturbation { get; }

    /// <summary>Gets the probability that a label is flipped.</summary>
    public double Noise { get; }

    /// <summary>Labels a person by one of the ten classification functions of Agrawal et al. (1993).</summary>
    /// <param name="function">0..9, the paper's F1..F10.</param>
    /// <param name="person">The exact (unperturbed) attributes.</param>
    /// <returns>Whether the person is in group A.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="function"/> is not 0..9.</exception>
    public static bool Label(int function, AgrawalPerson person)
    {
        var (salary, commission, age, elevel, hvalue, hyears, loan) =
            (person.Salary, person.Commission, person.Age, person.EducationLevel, person.HouseValue, person.HouseYears, person.Loan);
        var band = age < 40 ? 0 : age < 60 ? 1 : 2;
        static bool In(double value, double low, double high) => value >= low && value <= high;
        switch (function)
        {
            case 0:
                return band != 1;
            case 1:
                return band switch { 0 => In(salary, 50_000, 100_000), 1 => In(salary, 75_000, 125_000), _ => In(salary, 25_000, 75_000) };
            case 2:
                return band switch { 0 => elevel <= 1, 1 => elevel is >= 1 and <= 3, _ => elevel >= 2 };
            case 3:
                return band switch
                {
                    0 => elevel <= 1 ? In(salary, 25_000, 75_000) : In(salary, 50_000, 100_000),
                    1 => elevel is >= 1 and <= 3 ? In(salary, 50_000, 100_000) : In(salary, 75_000, 125_000),
                    _ => elevel >= 2 ? In(salary, 50_000, 100_000) : In(salary, 25_000, 75_000),
                };
            case 4:
                return band switch
                {
                    0 => In(salary, 50_000, 100_000) ? In(loan, 100_000, 300_000) : In(loan, 200_000, 400_000),
                    1 => In(salary, 75_000, 125_000) ? In(loan, 200_000, 400_000) : In(loan, 300_000, 500_000),
                    _ => In(salary, 25_000, 75_000) ? In(loan, 300_000, 500_000) : In(loan, 100_000, 300_000),
                };
            case 5:
                var income = salary + commission;
                return band switch { 0 => In(income, 50_000, 100_000), 1 => In(income, 75_000, 125_000), _ => In(income, 25_000, 75_000) };
            case 6:
                return (0.67 * (salary + commission)) - (0.2 * loan) - 20_000 > 0;
            case 7:
                return (0.67 * (salary + commission)) - (5_000 * elevel) - 20_000 > 0;
            case 8:
                return (0.67 * (salary + commission)) - (5_000 * elevel) - (0.2 * loan) - 10_000 > 0;
            case 9:
                var equity = hyears < 20 ? 0.0 : 0.1 * hvalue * (hyears - 20);
                return (0.67 * (salary + commission)) - (5_000 * elevel) + (0.2 * equity) - 10_000 > 0;
            default:
                throw new ArgumentOutOfRangeException(nameof(function), function, "Agrawal functions are 0..9 (the paper's F1..F10).");
        }
    }

    /// <inheritdoc />
    public LabelledSample Next()
    {
        var index = _nextIndex++;
        _functions.MoveTo(index);
        var salary = Uniform(20_000, 150_000);
        var commission = salary >= 75_000 ? 0.0 : Uniform(10_000, 75_000);
        var age = _random.Next(20, 81);
        var elevel = _random.Next(0, 5);
        var car = _random.Next(1, 21);
        var zipcode = _random.Next(0, 9);
        var hvalue = (9 - zipcode) * 100_000 * Uniform(0.5, 1.5);
        var hyears = _random.Next(1, 31);
        var loan = Uniform(0, 500_000);
        var label = Label(_functions.Current, new AgrawalPerson(salary, commission, age, elevel, car, zipcode, hvalue, hyears, loan));

        _numeric[0] = Perturb(salary, 20_000, 150_000);
        _numeric[1] = commission == 0 ? 0 : Perturb(commission, 0, 75_000);
        _numeric[2] = Perturb(age, 20, 80);
        _numeric[3] = Perturb(hvalue, 0, 1_350_000);
        _numeric[4] = Perturb(hyears, 1, 30);
        _numeric[5] = Perturb(loan, 0, 500_000);
        (_categorical[0], _categorical[1], _categorical[2]) = (Digits[elevel], Digits[car], Digits[zipcode]);
        label ^= _random.NextDouble() < Noise;
        return new LabelledSample(FeatureVector.Create(Schema, _numeric, _categorical), label, index, _functions.Position);
    }

    private double Uniform(double low, double high) => low + ((high - low) * _random.NextDouble());

    private double Perturb(double value, double low, double high) =>
        Perturbation == 0 ? value : Math.Clamp(value + (Perturbation * (high - low) * ((2 * _random.NextDouble()) - 1)), low, high);
}
