using System.Security.Cryptography;
using FeedbackLoop.PostgreSql;
using FeedbackLoop.Registry;
using Npgsql;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>
/// What the PostgreSQL registry adds to the conformance suite: everything survives a new instance (a new data source, as
/// a new process would have) on the same schema, an artifact corrupted behind its back is refused, two instances share
/// one schema safely, text that looks like SQL is only ever data, and what PostgreSQL cannot hold (negative zero in
/// jsonb, NUL in text, sub-microsecond times) is handled rather than lost.
/// </summary>
public sealed class PostgreSqlRegistryDurabilityTests : IDisposable
{
    private const string Injection = "x'); DROP TABLE model_versions; --";
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly TemporarySchema _schema = new();

    // Not at UTC and not on a microsecond, to show that times come back as the same instants, at UTC, to the microsecond.
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.FromHours(2)).AddTicks(5_358_979));

    // xunit 2 disposes a test class through IDisposable only (not IAsyncDisposable).
    public void Dispose() => _schema.Dispose();

    [Fact]
    public async Task NewInstancesOnTheSameSchema_SeeVersionsArtifactsAliasesAndHistory()
    {
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        var registered = new List<ModelVersion>();
        for (var seed = 1; seed <= 3; seed++)
        {
            registered.Add(await registry.RegisterAsync(Registration("churn", seed) with { SchemaFingerprint = seed == 2 ? null : $"schema-{seed}" }, None));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        await registry.SetAliasAsync("churn", ModelAliases.Champion, 1, new AliasChange("ops:alice", "first"), None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await registry.SetAliasAsync("churn", ModelAliases.Champion, 3, new AliasChange("feedback-loop", "challenger won"), None);
        await registry.SetAliasAsync("churn", ModelAliases.Challenger, 2, new AliasChange("feedback-loop", "trained"), None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await registry.RollbackAsync("churn", new AliasChange("ops:bob", "error rate doubled"), None);
        var champions = await registry.GetAliasHistoryAsync("churn", ModelAliases.Champion, None);

        await using var otherProcess = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        var reopened = new PostgreSqlModelRegistry(otherProcess, _schema.Name, _clock);

        var listed = await reopened.ListVersionsAsync("churn", None);
        listed.Should().HaveCount(3);
        for (var i = 0; i < listed.Count; i++)
        {
            AssertSameVersion(registered[i], listed[i]);
            (await reopened.GetArtifactAsync("churn", i + 1, None)).ToArray().Should().Equal(Artifact(i + 1));
        }

        listed[1].SchemaFingerprint.Should().BeNull();
        registered[0].CreatedAt.Should().Be(ToMicrosecond(_clock.Start));
        listed[0].CreatedAt.Offset.Should().Be(TimeSpan.Zero);
        (await reopened.GetByAliasAsync("churn", ModelAliases.Champion, None))!.Version.Should().Be(1);
        (await reopened.GetByAliasAsync("churn", ModelAliases.Challenger, None))!.Version.Should().Be(2);
        var history = await reopened.GetAliasHistoryAsync("churn", ModelAliases.Champion, None);
        history.Should().Equal(champions);
        history.Select(m => (m.FromVersion, m.ToVersion, m.IsRollback)).Should().Equal((null, 1, false), ((int?)1, 3, false), ((int?)3, 1, true));
        history[^1].At.Should().Be(ToMicrosecond(_clock.GetUtcNow()));
        history[^1].At.Offset.Should().Be(TimeSpan.Zero);
        (await reopened.GetAliasHistoryAsync("churn", ModelAliases.Challenger, None)).Should().ContainSingle();

        // The next version continues the schema's numbering, and the next rollback reads the schema's history.
        (await reopened.RegisterAsync(Registration("churn", 4), None)).Version.Should().Be(4);
        await reopened.Invoking(r => r.RollbackAsync("churn", new AliasChange("ops:bob", "again"), None)).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task GetArtifactAsync_ArtifactChangedWithRawSql_ThrowsInvalidDataExceptionAndOtherVersionsStillLoad()
    {
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        await registry.RegisterAsync(Registration("churn", 1), None);
        await registry.RegisterAsync(Registration("churn", 2), None);
        (await _schema.ScalarAsync("UPDATE {schema}.model_versions SET artifact = '\\xdeadbeef'::bytea WHERE model = 'churn' AND version = 1 RETURNING 1;"))
            .Should().Be(1);

        await using var otherProcess = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        foreach (var reader in new[] { registry, new PostgreSqlModelRegistry(otherProcess, _schema.Name, _clock) })
        {
            (await reader.Invoking(r => r.GetArtifactAsync("churn", 1, None)).Should().ThrowAsync<InvalidDataException>())
                .WithMessage($"*churn v1*schema '{_schema.Name}'*SHA-256*");
            (await reader.GetArtifactAsync("churn", 2, None)).ToArray().Should().Equal(Artifact(2));
        }

        // The metadata still states what was registered.
        (await registry.GetVersionAsync("churn", 1, None))!.ArtifactSize.Should().Be(Artifact(1).Length);
    }

    [Fact]
    public async Task RegisterAsync_TwoRegistriesOnOneSchemaConcurrently_DistinctConsecutiveVersions()
    {
        const int PerRegistry = 16;
        await using var otherProcess = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        PostgreSqlModelRegistry[] registries = [new(_schema.DataSource, _schema.Name, _clock), new(otherProcess, _schema.Name, _clock)];

        var registered = await AtOnceAsync(
            2 * PerRegistry,
            async seed => (Seed: seed, Version: await registries[seed % 2].RegisterAsync(Registration("churn", seed), None)));

        registered.Select(r => r.Version.Version).Order().Should().Equal(Enumerable.Range(1, 2 * PerRegistry));
        var third = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        (await third.ListVersionsAsync("churn", None)).Select(v => v.Version).Should().Equal(Enumerable.Range(1, 2 * PerRegistry));
        foreach (var (seed, version) in registered)
        {
            (await third.GetArtifactAsync("churn", version.Version, None)).ToArray().Should().Equal(Artifact(seed));
            version.ArtifactSha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(Artifact(seed))));
        }
    }

    [Fact]
    public async Task SetAliasAsync_TwoRegistriesOnOneSchemaConcurrently_HistoryIsAnUnbrokenChain()
    {
        const int Moves = 32;
        await using var otherProcess = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        PostgreSqlModelRegistry[] registries = [new(_schema.DataSource, _schema.Name, _clock), new(otherProcess, _schema.Name, _clock)];
        for (var seed = 1; seed <= 4; seed++)
        {
            await registries[0].RegisterAsync(Registration("churn", seed), None);
        }

        await AtOnceAsync(
            Moves,
            i => registries[i % 2].SetAliasAsync("churn", ModelAliases.Champion, 1 + (i % 4), new AliasChange($"instance-{i % 2}", $"move {i}"), None));

        var history = await registries[1].GetAliasHistoryAsync("churn", ModelAliases.Champion, None);
        history.Should().HaveCount(Moves);
        history[0].FromVersion.Should().BeNull();
        for (var i = 1; i < history.Count; i++)
        {
            history[i].FromVersion.Should().Be(history[i - 1].ToVersion);
        }

        history.Select(m => m.Reason).Should().OnlyHaveUniqueItems();
        (await registries[0].GetByAliasAsync("churn", ModelAliases.Champion, None))!.Version.Should().Be(history[^1].ToVersion);
        (await _schema.ScalarAsync("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM {schema}.alias_moves;"))
            .Should().Be(string.Join(',', Enumerable.Range(1, Moves)), "the moves are numbered without a gap");
    }

    [Fact]
    public async Task RegisterAsync_CancelledWhileWaitingForTheModelsLock_ThrowsOperationCanceledExceptionAndRegistersNothing()
    {
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        await registry.RegisterAsync(Registration("churn", 1), None);

        // Another process is in the middle of a write to the model: it holds the model's lock.
        await using (var other = await _schema.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await other.BeginTransactionAsync();
            await using (var lockModel = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('feedbackloop.registry.' || @schema || '.' || @model, 0));", other, transaction))
            {
                lockModel.Parameters.AddWithValue("schema", _schema.Name);
                lockModel.Parameters.AddWithValue("model", "churn");
                await lockModel.ExecuteNonQueryAsync();
            }

            using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await registry.Invoking(r => r.RegisterAsync(Registration("churn", 2), cancellation.Token)).Should().ThrowAsync<OperationCanceledException>();
            await transaction.RollbackAsync();
        }

        (await registry.ListVersionsAsync("churn", None)).Should().ContainSingle();
        (await registry.RegisterAsync(Registration("churn", 3), None)).Version.Should().Be(2);
    }

    [Fact]
    public async Task SqlLookingTexts_StoredLiterallyAndReadBackEqual()
    {
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        var lineage = new Dictionary<string, string>
        {
            [Injection] = Injection,
            ["quotes"] = "\"}, \"metrics\": {\"auc\": 1}",
            ["escapes"] = "back\\slash, tab\t, newline\n, \\u0000, é, 😀",
            ["dollars"] = "$$; DROP TABLE alias_moves; $$ @model $1 {schema}",
            ["empty"] = string.Empty,
        };
        var metrics = new Dictionary<string, double> { [Injection] = 0.5, ["\"}"] = 1 };
        var registration = new ModelRegistration("model_versions", Artifact(1), Injection, metrics, lineage) { SchemaFingerprint = Injection };
        var alias = "x'); DROP TABLE model_aliases; --";
        var change = new AliasChange("'; DELETE FROM alias_moves; --", "\" OR 1=1 -- @alias");

        var version = await registry.RegisterAsync(registration, None);
        await registry.SetAliasAsync("model_versions", alias, version.Version, change, None);

        var reopened = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        var read = await reopened.GetVersionAsync("model_versions", 1, None);
        read!.Description.Should().Be(Injection);
        read.SchemaFingerprint.Should().Be(Injection);
        read.Lineage.Should().BeEquivalentTo(lineage);
        read.Metrics.Should().BeEquivalentTo(metrics);
        (await reopened.GetByAliasAsync("model_versions", alias, None))!.Version.Should().Be(1);
        var move = (await reopened.GetAliasHistoryAsync("model_versions", alias, None)).Should().ContainSingle().Subject;
        (move.Alias, move.Actor, move.Reason).Should().Be((alias, change.Actor, change.Reason));
        (await reopened.ListVersionsAsync("model_versions", None)).Should().ContainSingle();
        (await _schema.ScalarAsync(
                "SELECT count(*) FROM pg_tables WHERE schemaname = @schema AND tablename IN ('model_versions', 'model_aliases', 'alias_moves');",
                ("schema", _schema.Name)))
            .Should().Be(3L, "every table of the registry is still there");
    }

    [Fact]
    public async Task SqlLookingModelName_RefusedByTheNameRuleOrNotFound_TablesIntact()
    {
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        await registry.RegisterAsync(Registration("churn", 1), None);

        await registry.Invoking(r => r.RegisterAsync(Registration(Injection, 2), None)).Should().ThrowAsync<ArgumentException>();
        (await registry.GetVersionAsync(Injection, 1, None)).Should().BeNull();
        (await registry.ListVersionsAsync(Injection, None)).Should().BeEmpty();
        (await registry.GetByAliasAsync(Injection, Injection, None)).Should().BeNull();
        await registry.Invoking(r => r.GetArtifactAsync(Injection, 1, None)).Should().ThrowAsync<KeyNotFoundException>();
        await registry.Invoking(r => r.SetAliasAsync(Injection, ModelAliases.Champion, 1, new AliasChange("a", "b"), None)).Should().ThrowAsync<KeyNotFoundException>();

        (await registry.ListVersionsAsync("churn", None)).Should().ContainSingle();
    }

    [Fact]
    public async Task Metrics_ExtremeDoubles_ReadBackBitForBit()
    {
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        double[] values = [0.1 + 0.2, 1.0 / 3, -0.0, 0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-310, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 12_500];
        var metrics = values.Select((v, i) => (Key: $"m{i}", Value: v)).ToDictionary(m => m.Key, m => m.Value);

        await registry.RegisterAsync(new ModelRegistration("churn", Artifact(1), "extremes", metrics, new Dictionary<string, string>()), None);

        var read = (await new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock).GetVersionAsync("churn", 1, None))!.Metrics;
        read.Keys.Should().BeEquivalentTo(metrics.Keys);
        foreach (var (key, value) in metrics)
        {
            BitConverter.DoubleToInt64Bits(read[key]).Should().Be(BitConverter.DoubleToInt64Bits(value), key);
        }
    }

    [Fact]
    public async Task TextWithNulCharacter_RefusedWithArgumentExceptionAndReadsFindNothing()
    {
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, _clock);
        await registry.RegisterAsync(Registration("churn", 1), None);
        var valid = Registration("churn", 2);
        ModelRegistration[] registrations =
        [
            valid with { Description = "nul\0" },
            valid with { SchemaFingerprint = "nul\0" },
            valid with { Metrics = new Dictionary<string, double> { ["nul\0"] = 1 } },
            valid with { Lineage = new Dictionary<string, string> { ["nul\0"] = "x" } },
            valid with { Lineage = new Dictionary<string, string> { ["x"] = "nul\0" } },
        ];

        foreach (var registration in registrations)
        {
            (await registry.Invoking(r => r.RegisterAsync(registration, None)).Should().ThrowAsync<ArgumentException>()).WithMessage("*NUL*");
        }

        await registry.Invoking(r => r.SetAliasAsync("churn", "nul\0", 1, new AliasChange("a", "b"), None)).Should().ThrowAsync<ArgumentException>();
        await registry.Invoking(r => r.SetAliasAsync("churn", ModelAliases.Champion, 1, new AliasChange("nul\0", "b"), None)).Should().ThrowAsync<ArgumentException>();
        await registry.Invoking(r => r.SetAliasAsync("churn", ModelAliases.Champion, 1, new AliasChange("a", "nul\0"), None)).Should().ThrowAsync<ArgumentException>();
        await registry.Invoking(r => r.RollbackAsync("churn", new AliasChange("a", "nul\0"), None)).Should().ThrowAsync<ArgumentException>();

        // What cannot have been stored is not found, as any other unknown name: no error from the server.
        (await registry.GetVersionAsync("churn\0", 1, None)).Should().BeNull();
        (await registry.ListVersionsAsync("churn\0", None)).Should().BeEmpty();
        (await registry.GetByAliasAsync("churn", "nul\0", None)).Should().BeNull();
        (await registry.GetAliasHistoryAsync("churn", "nul\0", None)).Should().BeEmpty();
        await registry.Invoking(r => r.GetArtifactAsync("churn\0", 1, None)).Should().ThrowAsync<KeyNotFoundException>();
        await registry.Invoking(r => r.SetAliasAsync("churn\0", ModelAliases.Champion, 1, new AliasChange("a", "b"), None)).Should().ThrowAsync<KeyNotFoundException>();
        await registry.Invoking(r => r.RollbackAsync("churn\0", new AliasChange("a", "b"), None)).Should().ThrowAsync<InvalidOperationException>();

        (await registry.ListVersionsAsync("churn", None)).Should().ContainSingle();
        (await registry.GetAliasHistoryAsync("churn", ModelAliases.Champion, None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Times_ClockBefore2000OffUtcAndOffTheMicrosecond_ReadBackAsReturned()
    {
        // Before PostgreSQL's epoch (2000-01-01) a division of ticks toward zero would round up; truncating first cannot.
        var clock = new ManualClock(new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromHours(-5)).AddTicks(9_999_999));
        var registry = new PostgreSqlModelRegistry(_schema.DataSource, _schema.Name, clock);

        var registered = await registry.RegisterAsync(Registration("churn", 1), None);
        var moved = await registry.SetAliasAsync("churn", ModelAliases.Champion, 1, new AliasChange("a", "b"), None);

        registered.CreatedAt.Should().Be(ToMicrosecond(clock.Start));
        registered.CreatedAt.Offset.Should().Be(TimeSpan.Zero);
        (await registry.GetVersionAsync("churn", 1, None))!.CreatedAt.Should().Be(registered.CreatedAt);
        (await registry.GetAliasHistoryAsync("churn", ModelAliases.Champion, None)).Should().Equal(moved);
    }

    [Fact]
    public async Task AnyCall_ServerNotListening_ThrowsPostgreSqlStoreExceptionNamingTheDatabase_NeverThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlServer.ConnectionString) { Port = 1, Password = "s3cret-pa55", Timeout = 2 };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var registry = new PostgreSqlModelRegistry(dataSource, _schema.Name, _clock);

        var thrown = await registry.Invoking(r => r.ListVersionsAsync("churn", None)).Should().ThrowAsync<PostgreSqlStoreException>();

        thrown.WithMessage($"*{builder.Host}:1*'{builder.Database}'*schema '{_schema.Name}'*");
        thrown.Which.Message.Should().NotContain("s3cret-pa55");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throws()
    {
        var create = (NpgsqlDataSource? dataSource, string? schema) => () => new PostgreSqlModelRegistry(dataSource!, schema!);

        create(null, "feedbackloop").Should().Throw<ArgumentNullException>().WithParameterName("dataSource");
        create(_schema.DataSource, null).Should().Throw<ArgumentNullException>().WithParameterName("schema");
        foreach (var schema in new[] { string.Empty, "Upper", "public; DROP TABLE x", "1digit", "quoted\"name", new string('s', 64) })
        {
            create(_schema.DataSource, schema).Should().Throw<ArgumentException>().WithParameterName("schema");
        }
    }

    private static DateTimeOffset ToMicrosecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    private static byte[] Artifact(int seed, int length = 256)
    {
        var artifact = new byte[length];
        for (var i = 0; i < artifact.Length; i++)
        {
            artifact[i] = unchecked((byte)((seed * 131) + (i * 7)));
        }

        return artifact;
    }

    private static ModelRegistration Registration(string modelName, int seed) =>
        new(
            modelName,
            Artifact(seed),
            $"model {seed}",
            new Dictionary<string, double> { ["auc"] = 0.75 + (seed / 1000.0), ["rows"] = seed * 1_000 },
            new Dictionary<string, string> { ["seed"] = $"{seed}", ["window"] = "2026-01-01/2026-02-01" });

    private static void AssertSameVersion(ModelVersion expected, ModelVersion actual)
    {
        actual.Should().BeEquivalentTo(expected, options => options.Excluding(v => v.Metrics).Excluding(v => v.Lineage));
        actual.Metrics.Should().BeEquivalentTo(expected.Metrics);
        actual.Lineage.Should().BeEquivalentTo(expected.Lineage);
    }

    /// <summary>Runs the calls at once, each on a thread of its own released by one gate, so that they overlap.</summary>
    private static async Task<T[]> AtOnceAsync<T>(int count, Func<int, Task<T>> call)
    {
        using var gate = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, count)
            .Select(i => Task.Factory.StartNew(
                () =>
                {
                    gate.Wait();
                    return call(i);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap())
            .ToArray();
        gate.Set();
        return await Task.WhenAll(calls);
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks;

        public DateTimeOffset Start { get; } = start;

        public override DateTimeOffset GetUtcNow() => Start.AddTicks(Interlocked.Read(ref _ticks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
