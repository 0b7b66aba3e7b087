using System.Text.Json;
using FeedbackLoop.Registry;

namespace FeedbackLoop.Tests;

public class RegistryJsonTests
{
    [Fact]
    public void Metrics_ExtremeDoubles_ReadBackBitForBit_AndDecimalUnsafeValuesAreStrings()
    {
        var metrics = new Dictionary<string, double>
        {
            ["nan"] = double.NaN,
            ["up"] = double.PositiveInfinity,
            ["down"] = double.NegativeInfinity,
            ["negative-zero"] = -0.0,
            ["epsilon"] = double.Epsilon,
            ["max"] = double.MaxValue,
            ["subnormal"] = 1e-310,
            ["third"] = 1.0 / 3.0,
        };

        var json = RegistryJson.WriteMetrics(metrics);
        var read = RegistryJson.ReadMetrics(json);

        read.Keys.Should().BeEquivalentTo(metrics.Keys);
        foreach (var (name, value) in metrics)
        {
            BitConverter.DoubleToInt64Bits(read[name]).Should().Be(BitConverter.DoubleToInt64Bits(value), name);
        }

        json.Should().Contain("\"negative-zero\":\"-0\"").And.Contain("\"nan\":\"NaN\"").And.StartWith("{\"down\":", "keys are in ordinal order");
    }

    [Fact]
    public void Lineage_RoundTrips_InOrdinalKeyOrder()
    {
        var lineage = new Dictionary<string, string> { ["b"] = "x'); DROP TABLE t; --", ["a"] = "é 🔑" };

        var json = RegistryJson.WriteLineage(lineage);

        RegistryJson.ReadLineage(json).Should().Equal(lineage);
        json.Should().StartWith("{\"a\":");
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{\"accuracy\": true}")]
    [InlineData("{\"accuracy\": \"high\"}")]
    [InlineData("not json")]
    public void ReadMetrics_NotAnObjectOfNumbers_ThrowsJsonException(string json) =>
        FluentActions.Invoking(() => RegistryJson.ReadMetrics(json)).Should().Throw<JsonException>();

    [Theory]
    [InlineData("{\"source\": 3}")]
    [InlineData("\"text\"")]
    public void ReadLineage_NotAnObjectOfStrings_ThrowsJsonException(string json) =>
        FluentActions.Invoking(() => RegistryJson.ReadLineage(json)).Should().Throw<JsonException>();
}
