using FeedbackLoop.Registry;
using FeedbackLoop.Sqlite;
using FeedbackLoop.Testing;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>The SQLite registry against the model registry conformance suite, tamper test included: a new file per test.</summary>
public class SqliteModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    /// <summary>The current test's file; the suite's release (not this class) deletes it.</summary>
    private string? _connectionString;

    protected override ValueTask<UnderTest<IModelRegistry>> CreateRegistryAsync(CancellationToken cancellationToken)
    {
        var file = new TemporarySqliteFile();
        _connectionString = file.ConnectionString;
        return ValueTask.FromResult(new UnderTest<IModelRegistry>(new SqliteModelRegistry(file.ConnectionString), file.DisposeAsync));
    }

    protected override ValueTask<bool> TamperWithArtifactAsync(IModelRegistry registry, string modelName, int version, CancellationToken cancellationToken)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT artifact FROM model_versions WHERE model = $model AND version = $version;";
        read.Parameters.AddWithValue("$model", modelName);
        read.Parameters.AddWithValue("$version", version);
        var artifact = (byte[])read.ExecuteScalar()!;
        artifact[0] ^= 0xFF;

        using var write = connection.CreateCommand();
        write.CommandText = "UPDATE model_versions SET artifact = $artifact WHERE model = $model AND version = $version;";
        write.Parameters.AddWithValue("$artifact", artifact);
        write.Parameters.AddWithValue("$model", modelName);
        write.Parameters.AddWithValue("$version", version);
        return ValueTask.FromResult(write.ExecuteNonQuery() == 1);
    }
}
