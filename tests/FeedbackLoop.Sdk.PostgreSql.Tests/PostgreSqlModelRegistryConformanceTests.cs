using FeedbackLoop.PostgreSql;
using FeedbackLoop.Registry;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>The PostgreSQL registry against the model registry conformance suite, tamper test included: a new schema per test.</summary>
public class PostgreSqlModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    /// <summary>The current test's schema; the suite's release (not this class) drops it.</summary>
    private TemporarySchema? _schema;

    protected override ValueTask<UnderTest<IModelRegistry>> CreateRegistryAsync(CancellationToken cancellationToken)
    {
        var schema = new TemporarySchema();
        _schema = schema;
        return ValueTask.FromResult(new UnderTest<IModelRegistry>(new PostgreSqlModelRegistry(schema.DataSource, schema.Name), schema.DisposeAsync));
    }

    protected override async ValueTask<bool> TamperWithArtifactAsync(IModelRegistry registry, string modelName, int version, CancellationToken cancellationToken)
    {
        // Flips every bit of the first byte, so the artifact cannot stay what it was.
        var updated = await _schema!.ScalarAsync(
            "UPDATE {schema}.model_versions SET artifact = set_byte(artifact, 0, get_byte(artifact, 0) # 255) WHERE model = @model AND version = @version RETURNING 1;",
            ("model", modelName),
            ("version", version));
        return updated is 1;
    }
}
