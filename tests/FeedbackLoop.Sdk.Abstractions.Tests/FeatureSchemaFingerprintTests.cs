namespace FeedbackLoop.Tests;

public class FeatureSchemaFingerprintTests
{
    [Fact]
    public void Fingerprint_SameDeclarations_SameHexSha256_AnyDifferenceChangesIt()
    {
        static FeatureSchema Build(Action<FeatureSchemaBuilder> declare)
        {
            var builder = FeatureSchema.CreateBuilder();
            declare(builder);
            return builder.Build();
        }

        var schema = Build(s => s.Numeric("income").Categorical("region"));

        schema.Fingerprint.Should().MatchRegex("^[0-9a-f]{64}$");
        Build(s => s.Numeric("income").Categorical("region")).Fingerprint.Should().Be(schema.Fingerprint);
        new[]
        {
            Build(s => s.Numeric("income").Numeric("region")).Fingerprint,
            Build(s => s.Categorical("region").Numeric("income")).Fingerprint,
            Build(s => s.Numeric("income", allowMissing: true).Categorical("region")).Fingerprint,
            Build(s => s.Numeric("Income").Categorical("region")).Fingerprint,
        }.Should().NotContain(schema.Fingerprint).And.OnlyHaveUniqueItems();
    }
}
