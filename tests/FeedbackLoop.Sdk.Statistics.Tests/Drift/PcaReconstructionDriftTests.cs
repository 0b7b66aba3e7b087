using System.Text.Json;
using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

// Reference values from Reference/make_multivariate.py: scikit-learn 1.2.1 StandardScaler + PCA(n_components=0.65),
// NannyML's data reconstruction pipeline. The data have two features correlated at 0.9, an independent one and a
// constant one; the "flipped" chunk reverses the correlation, leaving every marginal distribution unchanged.
public sealed class PcaReconstructionDriftTests
{
    private static readonly Lazy<JsonElement> Golden = new(() =>
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Reference", "multivariate.json")));
        return json.RootElement.Clone();
    });

    [Fact]
    public void Constructor_Reference_MatchesScikitLearnsComponentsAndThresholds()
    {
        var drift = new PcaReconstructionDrift(Rows("reference"));

        drift.ComponentCount.Should().Be(Golden.Value.GetProperty("components").GetInt32());
        drift.ReferenceChunkErrors.Should().Equal(
            Golden.Value.GetProperty("chunk_errors").EnumerateArray().Select(e => e.GetDouble()),
            (actual, expected) => Math.Abs(actual - expected) <= 1e-9 * expected);
        drift.LowerThreshold.Should().BeApproximately(Golden.Value.GetProperty("lower").GetDouble(), 1e-9);
        drift.UpperThreshold.Should().BeApproximately(Golden.Value.GetProperty("upper").GetDouble(), 1e-9);
    }

    [Fact]
    public void ReconstructionError_EachRow_MatchesScikitLearn()
    {
        var drift = new PcaReconstructionDrift(Rows("reference"));
        double[][] stable = Rows("stable");
        double[] expected = [.. Golden.Value.GetProperty("stable_errors").EnumerateArray().Select(e => e.GetDouble())];

        for (int i = 0; i < stable.Length; i++)
        {
            drift.ReconstructionError(stable[i]).Should().BeApproximately(expected[i], 1e-9 * Math.Max(1, expected[i]));
        }
    }

    [Fact]
    public void Evaluate_FlippedCorrelation_IsDriftWhileMarginalTestsSeeNothing()
    {
        var drift = new PcaReconstructionDrift(Rows("reference"));
        double[][] reference = Rows("reference");
        double[][] flipped = Rows("flipped");

        PcaReconstructionResult stable = drift.Evaluate(Rows("stable"));
        PcaReconstructionResult changed = drift.Evaluate(flipped);

        stable.IsDrift.Should().BeFalse();
        stable.MeanError.Should().BeApproximately(Golden.Value.GetProperty("stable_mean").GetDouble(), 1e-9);
        changed.IsDrift.Should().BeTrue();
        changed.MeanError.Should().BeApproximately(Golden.Value.GetProperty("flipped_mean").GetDouble(), 1e-9);
        for (int c = 0; c < 3; c++)
        {
            new KolmogorovSmirnovTest().Test(reference.Select(r => r[c]).ToArray(), flipped.Select(r => r[c]).ToArray()).IsDrift
                .Should().BeFalse($"feature {c}'s own distribution did not change");
        }
    }

    [Fact]
    public void Constructor_RaggedRows_Throws()
    {
        Action act = () => _ = new PcaReconstructionDrift([.. Enumerable.Range(0, 30).Select(i => i == 7 ? new double[2] : new double[3])]);
        act.Should().Throw<ArgumentException>().WithMessage("Row 7 has 2 values; every row must have 3*");
    }

    [Fact]
    public void Constructor_NotFiniteValue_Throws()
    {
        double[][] rows = [.. Enumerable.Range(0, 30).Select(i => new double[] { i, i == 4 ? double.NaN : 1 })];
        Action act = () => _ = new PcaReconstructionDrift(rows);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Row 4, column 1 is NaN*");
    }

    [Fact]
    public void Constructor_TooFewRows_Throws()
    {
        Action act = () => _ = new PcaReconstructionDrift([.. Enumerable.Range(0, 19).Select(i => new double[] { i, 1 })]);
        act.Should().Throw<ArgumentException>().WithMessage("*19 rows; at least 20*");
    }

    [Theory]
    [InlineData(0.0, 10, 3.0, "*VarianceShare*")]
    [InlineData(1.5, 10, 3.0, "*VarianceShare*")]
    [InlineData(0.65, 1, 3.0, "*ReferenceChunks*")]
    [InlineData(0.65, 10, 0.0, "*StandardDeviations*")]
    public void Constructor_InvalidOptions_Throw(double share, int chunks, double deviations, string message)
    {
        Action act = () => _ = new PcaReconstructionDrift(Rows("reference"), new() { VarianceShare = share, ReferenceChunks = chunks, StandardDeviations = deviations });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    [Fact]
    public void Evaluate_EmptyOrWrongWidthChunk_Throws()
    {
        var drift = new PcaReconstructionDrift(Rows("reference"));

        Action empty = () => drift.Evaluate([]);
        Action narrow = () => drift.Evaluate([[1.0, 2.0]]);

        empty.Should().Throw<ArgumentException>().WithMessage("The chunk is empty*");
        narrow.Should().Throw<ArgumentException>().WithMessage("Row 0 has 2 values; every row must have 4*");
    }

    [Fact]
    public void ConstantReference_GivesFiniteErrors()
    {
        double[][] rows = [.. Enumerable.Range(0, 40).Select(_ => new double[] { 1, 2 })];

        var drift = new PcaReconstructionDrift(rows);

        double.IsFinite(drift.UpperThreshold).Should().BeTrue();
        drift.Evaluate([[1.0, 2.0]]).MeanError.Should().Be(0);
    }

    private static double[][] Rows(string name) =>
        [.. Golden.Value.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray())];
}
