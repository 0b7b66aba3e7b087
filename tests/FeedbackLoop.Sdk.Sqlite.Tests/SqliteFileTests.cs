using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>Opening a file: the schema's migrations, and every file the store must refuse with a clear error, writing nothing.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x1").Build();
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    public static TheoryData<int> EarlierVersions()
    {
        var versions = new TheoryData<int>();
        for (var version = 0; version < SqliteSchema.LatestVersion; version++)
        {
            versions.Add(version);
        }

        return versions;
    }

    [Theory]
    [MemberData(nameof(EarlierVersions))]
    public async Task Open_FileAtAnEarlierSchemaVersion_MigratedToTheLatest(int version)
    {
        using (var raw = _file.OpenRaw())
        {
            SqliteSchema.Migrate(raw, _file.FilePath, [.. SqliteSchema.Migrations.Take(version)]);
        }

        using var store = new SqliteEventStore(_file.ConnectionString, "loop", Schema);
        (await store.GetStatisticsAsync(None)).Predictions.Should().Be(0);

        Pragma("user_version").Should().Be(SqliteSchema.LatestVersion);
        Pragma("application_id").Should().Be(SqliteSchema.ApplicationId);
        Pragma("journal_mode", text: true).Should().Be("wal");
    }

    [Fact]
    public void Migrate_AppliesEachMissingMigrationOnceInOrder()
    {
        string[] migrations = ["CREATE TABLE first (x INTEGER);", "INSERT INTO first VALUES (1);", "INSERT INTO first VALUES (2);"];
        using var raw = _file.OpenRaw();

        SqliteSchema.Migrate(raw, _file.FilePath, migrations[..1]);
        SqliteSchema.Migrate(raw, _file.FilePath, migrations);
        SqliteSchema.Migrate(raw, _file.FilePath, migrations);

        Pragma("user_version").Should().Be(3);
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT group_concat(x) FROM first;";
        command.ExecuteScalar().Should().Be("1,2", "a migration already applied is not applied again");
    }

    [Fact]
    public async Task Open_NotADatabase_ClearErrorAndTheFileUntouched()
    {
        byte[] content = [.. "these are someone's notes, not a database"u8];
        await File.WriteAllBytesAsync(_file.FilePath, content);

        var opening = () => new SqliteEventStore(_file.ConnectionString, "loop", Schema).GetStatisticsAsync(None).AsTask();

        (await opening.Should().ThrowAsync<SqliteStoreException>()).WithMessage($"*{_file.FilePath}*not a SQLite database*");
        (await File.ReadAllBytesAsync(_file.FilePath)).Should().Equal(content);
    }

    [Fact]
    public async Task Open_SchemaNewerThanTheLibrary_ClearErrorAndNothingWritten()
    {
        using (var raw = _file.OpenRaw())
        {
            Execute(raw, $"PRAGMA application_id = {SqliteSchema.ApplicationId}; PRAGMA user_version = {SqliteSchema.LatestVersion + 1};");
        }

        var opening = () => new SqliteEventStore(_file.ConnectionString, "loop", Schema).GetStatisticsAsync(None).AsTask();

        (await opening.Should().ThrowAsync<SqliteStoreException>()).WithMessage($"*schema version {SqliteSchema.LatestVersion + 1}*newer*");
        Pragma("user_version").Should().Be(SqliteSchema.LatestVersion + 1);
        TableCount().Should().Be(0, "nothing was created");
    }

    [Fact]
    public async Task Open_DatabaseOfAnotherApplication_RefusedAndNothingWritten()
    {
        using (var raw = _file.OpenRaw())
        {
            Execute(raw, "PRAGMA application_id = 1234; CREATE TABLE theirs (x INTEGER);");
        }

        var opening = () => new SqliteEventStore(_file.ConnectionString, "loop", Schema).GetStatisticsAsync(None).AsTask();

        (await opening.Should().ThrowAsync<SqliteStoreException>()).WithMessage("*another application*");
        TableCount().Should().Be(1);
    }

    [Fact]
    public async Task Open_MissingDirectory_ClearError()
    {
        var path = Path.Combine(Path.GetDirectoryName(_file.FilePath)!, "missing", "feedbackloop.db");

        var opening = () => new SqliteEventStore($"Data Source={path}", "loop", Schema).GetStatisticsAsync(None).AsTask();

        (await opening.Should().ThrowAsync<SqliteStoreException>()).WithMessage("*directory is missing*");
    }

    [Fact]
    public async Task Open_ReadOnlyFileThatNeedsItsSchema_ClearError()
    {
        using (_file.OpenRaw())
        {
            // Creates the empty file.
        }

        var opening = () => new SqliteEventStore($"Data Source={_file.FilePath};Mode=ReadOnly", "loop", Schema).GetStatisticsAsync(None).AsTask();

        (await opening.Should().ThrowAsync<SqliteStoreException>()).WithMessage("*read-only*");
    }

    [Fact]
    public async Task Append_DatabaseLockedByAnotherConnectionBeyondTheTimeout_ClearErrorAndNothingApplied()
    {
        using var store = new SqliteEventStore(new SqliteDatabase(_file.ConnectionString, TimeSpan.FromMilliseconds(200)), "loop", Schema, new FeedbackStoreOptions(), null);
        (await store.GetStatisticsAsync(None)).Predictions.Should().Be(0);
        using var holder = _file.OpenRaw();
        using var exclusive = holder.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
        var batch = new EventBatch().Add(LoopEvent.For(new Prediction(PredictionId.New(), "loop", "1", default, FeatureVector.Create(Schema, [1.0]), PredictionOutput.Binary(0.5)), default));

        (await store.Invoking(s => s.AppendAsync(batch, None).AsTask()).Should().ThrowAsync<SqliteStoreException>()).WithMessage("*locked*busy timeout (200 ms)*");
        exclusive.Rollback();

        using (var count = holder.CreateCommand())
        {
            count.CommandText = "SELECT count(*) FROM predictions;";
            ((long)count.ExecuteScalar()!).Should().Be(0, "the failed batch applied nothing");
        }

        // The loop's retry: the same batch again, reported as a first append.
        batch.ResetOutcomes();
        await store.AppendAsync(batch, None);
        batch.GetOutcome(0).Should().Be(EventOutcome.Stored);
        (await store.GetStatisticsAsync(None)).Predictions.Should().Be(1);
    }

    [Fact]
    public async Task Open_FileLockedDuringTheFirstOpen_TheNextCallOpensItOnceReleased()
    {
        using var store = new SqliteEventStore(new SqliteDatabase(_file.ConnectionString, TimeSpan.FromMilliseconds(100)), "loop", Schema, new FeedbackStoreOptions(), null);
        using (var holder = _file.OpenRaw())
        using (var exclusive = holder.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false))
        {
            Execute(holder, "CREATE TABLE holding (x INTEGER);");
            await store.Invoking(s => s.GetStatisticsAsync(None).AsTask()).Should().ThrowAsync<SqliteStoreException>();
            exclusive.Rollback();
        }

        (await store.GetStatisticsAsync(None)).Predictions.Should().Be(0, "a failed first open is tried again, not remembered");
    }

    [Fact]
    public async Task Open_LoopRecordedInAnotherSchema_RefusedInsteadOfMisread()
    {
        using (var first = new SqliteEventStore(_file.ConnectionString, "loop", Schema))
        {
            await first.AppendAsync(new EventBatch().Add(LoopEvent.For(new Prediction(PredictionId.New(), "loop", "1", default, FeatureVector.Create(Schema, [1.0]), PredictionOutput.Binary(0.5)), default)), None);
        }

        var wider = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x2").Build();
        using var second = new SqliteEventStore(_file.ConnectionString, "loop", wider);
        using var otherLoop = new SqliteEventStore(_file.ConnectionString, "other", wider);

        (await second.Invoking(s => s.GetStatisticsAsync(None).AsTask()).Should().ThrowAsync<SqliteStoreException>()).WithMessage("*another feature schema*");
        (await otherLoop.GetStatisticsAsync(None)).Predictions.Should().Be(0, "another loop in the file may have its own schema");
    }

    [Fact]
    public async Task Append_TwoWritersOfOneLoop_CountersAddUp()
    {
        using var first = new SqliteEventStore(_file.ConnectionString, "loop", Schema);
        using var second = new SqliteEventStore(_file.ConnectionString, "loop", Schema);
        EventBatch Batch() => new EventBatch().Add(LoopEvent.For(new Prediction(PredictionId.New(), "loop", "1", default, FeatureVector.Create(Schema, [1.0]), PredictionOutput.Binary(0.5)), default));

        await first.AppendAsync(Batch(), None);
        await second.AppendAsync(Batch(), None);
        await first.AppendAsync(Batch(), None);

        (await first.GetStatisticsAsync(None)).Predictions.Should().Be(3);
        (await second.GetStatisticsAsync(None)).Predictions.Should().Be(3);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Mode=Memory;Data Source=shared")]
    [InlineData("Data Source=")]
    [InlineData("Flavour=Strawberry")]
    public void Constructor_ConnectionStringWithoutAFile_Throws(string connectionString) =>
        FluentActions.Invoking(() => new SqliteEventStore(connectionString, "loop", Schema)).Should().Throw<ArgumentException>();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object Pragma(string name, bool text = false)
    {
        using var raw = _file.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        var value = command.ExecuteScalar()!;
        return text ? (string)value : (long)value;
    }

    private long TableCount()
    {
        using var raw = _file.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table';";
        return (long)command.ExecuteScalar()!;
    }
}
