using FeedbackLoop.Models;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.State;
using FeedbackLoop.Storage;
using Npgsql;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>The schema the library keeps in PostgreSQL: created and migrated on first use, and every way a server can refuse it, each with a clear error.</summary>
public sealed class PostgreSqlDatabaseTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TemporarySchema _schema = new();

    public void Dispose() => _schema.Dispose();

    [Fact]
    public async Task FirstUse_CreatesTheSchemaAtTheLatestVersion_AndInstancesStartingTogetherMigrateOnce()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var dataSource = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
            await new PostgreSqlLoopStateStore(dataSource, _schema.Name).LoadAsync("loop", None);
        }));

        (await _schema.ScalarAsync("SELECT string_agg(version::text, ',' ORDER BY version) FROM {schema}.schema_migrations;"))
            .Should().Be(string.Join(',', Enumerable.Range(1, PostgreSqlSchema.LatestVersion)), "each migration is applied once, in order");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task SchemaAtAnEarlierVersion_MigratedToTheLatest_AndItsDataKept(int version)
    {
        var database = new PostgreSqlDatabase(_schema.DataSource, _schema.Name);
        await using (var connection = await _schema.DataSource.OpenConnectionAsync())
        {
            await PostgreSqlSchema.MigrateAsync(connection, database, PostgreSqlSchema.Migrations.Take(version).ToList(), None);
        }

        await new PostgreSqlLoopStateStore(_schema.DataSource, _schema.Name).SaveAsync("loop", new StateSnapshot("Test", 1, [7]), 0, None);
        await new PostgreSqlEventStore(_schema.DataSource, "loop", FeatureSchema.CreateBuilder().Numeric("x").Build(), databaseSchema: _schema.Name).GetStatisticsAsync(None);

        (await _schema.ScalarAsync("SELECT max(version) FROM {schema}.schema_migrations;")).Should().Be(PostgreSqlSchema.LatestVersion);
        (await new PostgreSqlLoopStateStore(_schema.DataSource, _schema.Name).LoadAsync("loop", None))!.State.Payload.ToArray().Should().Equal([7]);
    }

    [Fact]
    public async Task SchemaAtVersion2_AppliedFeedbackGetsItsPositionInTheStream_OrphansNone()
    {
        var database = new PostgreSqlDatabase(_schema.DataSource, _schema.Name);
        await using (var connection = await _schema.DataSource.OpenConnectionAsync())
        {
            await PostgreSqlSchema.MigrateAsync(connection, database, PostgreSqlSchema.Migrations.Take(2).ToList(), None);
        }

        await _schema.ScalarAsync(
            """
            INSERT INTO {schema}.feedback (loop, prediction_id, id, seq, state, kind, value_kind, value_number, value_category, source, ts, received_at) VALUES
                ('loop', gen_random_uuid(), gen_random_uuid(), 7, 0, 0, 1, 1, NULL, 's', 0, 0),
                ('loop', gen_random_uuid(), gen_random_uuid(), 8, 1, 0, 1, 1, NULL, 's', 0, 0);
            """);
        await new PostgreSqlLoopStateStore(_schema.DataSource, _schema.Name).LoadAsync("loop", None);

        (await _schema.ScalarAsync("SELECT string_agg(coalesce(join_seq::text, 'null'), ',' ORDER BY seq) FROM {schema}.feedback;")).Should().Be("7,null");
    }

    [Fact]
    public async Task SchemaAtVersion3_TheLoopsCountersCarriedIntoItsStripes_AndItsSchemaKept()
    {
        var database = new PostgreSqlDatabase(_schema.DataSource, _schema.Name);
        await using (var connection = await _schema.DataSource.OpenConnectionAsync())
        {
            await PostgreSqlSchema.MigrateAsync(connection, database, PostgreSqlSchema.Migrations.Take(3).ToList(), None);
        }

        var features = FeatureSchema.CreateBuilder().Numeric("x").Build();
        await _schema.ScalarAsync(
            "INSERT INTO {schema}.event_counters VALUES ('loop', 40, 9, 8, 7, 6, 5, 4, 3, 2, 1, @fingerprint);", ("fingerprint", features.Fingerprint));

        var statistics = await new PostgreSqlEventStore(_schema.DataSource, "loop", features, databaseSchema: _schema.Name).GetStatisticsAsync(None);
        var other = () => new PostgreSqlEventStore(_schema.DataSource, "loop", FeatureSchema.CreateBuilder().Numeric("y").Build(), databaseSchema: _schema.Name).GetStatisticsAsync(None).AsTask();

        statistics.Should().Be(new EventStoreStatistics(9, 8, 7, 6, 5, 4, 3, 2, 1));
        await other.Should().ThrowAsync<PostgreSqlStoreException>("the loop's feature schema was kept").WithMessage("*another feature schema*");
    }

    [Fact]
    public void Migrations_EveryEarlierVersionIsTested() =>
        typeof(PostgreSqlDatabaseTests).GetMethod(nameof(SchemaAtAnEarlierVersion_MigratedToTheLatest_AndItsDataKept))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>().Select(d => (int)d.GetData(null!).Single()[0])
            .Should().BeEquivalentTo(Enumerable.Range(1, PostgreSqlSchema.LatestVersion - 1), "each earlier version is migrated by a test");

    [Fact]
    public async Task Migrate_AppliesEachMissingMigrationOnceInOrder()
    {
        string[] migrations = ["CREATE TABLE {schema}.first (x integer);", "INSERT INTO {schema}.first VALUES (1);", "INSERT INTO {schema}.first VALUES (2);"];
        var database = new PostgreSqlDatabase(_schema.DataSource, _schema.Name);
        await using var connection = await _schema.DataSource.OpenConnectionAsync();

        await PostgreSqlSchema.MigrateAsync(connection, database, migrations[..1], None);
        await PostgreSqlSchema.MigrateAsync(connection, database, migrations, None);
        await PostgreSqlSchema.MigrateAsync(connection, database, migrations, None);

        (await _schema.ScalarAsync("SELECT max(version) FROM {schema}.schema_migrations;")).Should().Be(3);
        (await _schema.ScalarAsync("SELECT string_agg(x::text, ',' ORDER BY x) FROM {schema}.first;")).Should().Be("1,2", "a migration already applied is not applied again");
    }

    [Fact]
    public async Task SchemaNewerThanTheLibrary_ClearErrorAndNothingWritten()
    {
        await _schema.ScalarAsync("CREATE SCHEMA {schema}; CREATE TABLE {schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO {schema}.schema_migrations (version) VALUES (99);");

        var load = () => new PostgreSqlLoopStateStore(_schema.DataSource, _schema.Name).LoadAsync("loop", None).AsTask();

        (await load.Should().ThrowAsync<PostgreSqlStoreException>()).WithMessage($"*schema '{_schema.Name}'*schema version 99*newer*writes nothing*");
        (await _schema.ScalarAsync("SELECT count(*) FROM pg_tables WHERE schemaname = @schema;", ("schema", _schema.Name))).Should().Be(1L, "only the migrations table is there");
    }

    [Fact]
    public async Task ServerNotListening_ClearErrorNamingHostAndDatabase_NeverThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlServer.ConnectionString) { Port = 1, Password = "s3cret-pa55", Timeout = 2 };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        var load = () => new PostgreSqlLoopStateStore(dataSource, _schema.Name).LoadAsync("loop", None).AsTask();

        var thrown = (await load.Should().ThrowAsync<PostgreSqlStoreException>()).Which;
        thrown.Message.Should().Contain($"{builder.Host}:1").And.Contain($"database '{builder.Database}'").And.StartWith("Cannot connect");
        thrown.ToString().Should().NotContain("s3cret-pa55");
    }

    [Fact]
    public async Task WrongPassword_ClearErrorThatTheLoginWasRefused_NeverThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlServer.ConnectionString) { Password = "wrong-pa55word" };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        var load = () => new PostgreSqlLoopStateStore(dataSource, _schema.Name).LoadAsync("loop", None).AsTask();

        var thrown = (await load.Should().ThrowAsync<PostgreSqlStoreException>()).Which;
        thrown.Message.Should().Contain("refused the login").And.Contain($"database '{builder.Database}'");
        thrown.ToString().Should().NotContain("wrong-pa55word");
    }

    [Fact]
    public async Task RoleWithoutCreateOnTheDatabase_ClearErrorNamingThePrivilege_AndNothingCreated()
    {
        var role = "r_" + Guid.NewGuid().ToString("N");
        await _schema.ScalarAsync($"CREATE ROLE {role} LOGIN PASSWORD 'throwaway';");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(PostgreSqlServer.ConnectionString) { Username = role, Password = "throwaway", Pooling = false };
            await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

            var save = () => new PostgreSqlLoopStateStore(dataSource, _schema.Name).SaveAsync("loop", new StateSnapshot("Test", 1, [1]), 0, None).AsTask();

            (await save.Should().ThrowAsync<PostgreSqlStoreException>()).WithMessage($"*permission denied for database*needs CREATE on the database*schema '{_schema.Name}'*");
            (await _schema.ScalarAsync("SELECT count(*) FROM pg_namespace WHERE nspname = @schema;", ("schema", _schema.Name))).Should().Be(0L);
        }
        finally
        {
            await _schema.ScalarAsync($"DROP ROLE {role};");
        }
    }

    [Theory]
    [InlineData("Feedback")]
    [InlineData("feedback-loop")]
    [InlineData("x; DROP TABLE y")]
    [InlineData("1loop")]
    public void Constructor_SchemaNameNotAPlainIdentifier_Throws(string schema) =>
        FluentActions.Invoking(() => new PostgreSqlLoopStateStore(_schema.DataSource, schema)).Should().Throw<ArgumentException>().WithMessage("*lower-case letters*");

    [Fact]
    public async Task SqlLookingLoopNameAndState_StoredLiterally()
    {
        var store = new PostgreSqlLoopStateStore(_schema.DataSource, _schema.Name);
        const string loop = "x'); DROP TABLE loop_state; --";

        await store.SaveAsync(loop, new StateSnapshot("Test", 1, [.. "'; DELETE FROM loop_state; --"u8]), 0, None);

        var loaded = await store.LoadAsync(loop, None);
        loaded!.Revision.Should().Be(1);
        loaded.State.Payload.ToArray().Should().Equal([.. "'; DELETE FROM loop_state; --"u8]);
    }
}
