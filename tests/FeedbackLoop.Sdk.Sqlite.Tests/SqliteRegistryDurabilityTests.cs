using System.Security.Cryptography;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Sqlite;
using FeedbackLoop.State;
using Microsoft.Data.Sqlite;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>
/// What the SQLite registry and loop-state store add to the conformance suites: everything survives a new instance on the
/// same file, storage corrupted behind their backs is refused, two instances (as two processes would) share one file
/// safely, and text that looks like SQL is only ever data.
/// </summary>
public sealed class SqliteRegistryDurabilityTests : IDisposable
{
    private const string Injection = "x'); DROP TABLE model_versions; --";
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly TemporarySqliteFile _file = new();

    // Not at UTC, to show that times come back as the same instants, at UTC.
    private readonly SimulatedClock _clock = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.FromHours(2)).AddTicks(5_358_979));

    // xunit 2 disposes a test class through IDisposable only (not IAsyncDisposable).
    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task NewInstancesOnTheSameFile_SeeVersionsArtifactsAliasesHistoryAndState()
    {
        var registry = new SqliteModelRegistry(_file.ConnectionString, _clock);
        var states = new SqliteLoopStateStore(_file.ConnectionString);
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
        var state = new StateSnapshot("Durability", 3, [1, 2, 3, 4, 5]);
        await states.SaveAsync("credit-risk", new StateSnapshot("Durability", 3, [9]), 0, None);
        await states.SaveAsync("credit-risk", state, 1, None);
        SqliteConnection.ClearAllPools();

        var reopened = new SqliteModelRegistry(_file.ConnectionString, _clock);
        var reopenedStates = new SqliteLoopStateStore(_file.ConnectionString);

        var listed = await reopened.ListVersionsAsync("churn", None);
        listed.Should().HaveCount(3);
        for (var i = 0; i < listed.Count; i++)
        {
            AssertSameVersion(registered[i], listed[i]);
            (await reopened.GetArtifactAsync("churn", i + 1, None)).ToArray().Should().Equal(Artifact(i + 1));
        }

        registered[0].CreatedAt.Should().Be(_clock.Start);
        listed[0].CreatedAt.Offset.Should().Be(TimeSpan.Zero);
        (await reopened.GetByAliasAsync("churn", ModelAliases.Champion, None))!.Version.Should().Be(1);
        (await reopened.GetByAliasAsync("churn", ModelAliases.Challenger, None))!.Version.Should().Be(2);
        var history = await reopened.GetAliasHistoryAsync("churn", ModelAliases.Champion, None);
        history.Should().Equal(champions);
        history.Select(m => (m.FromVersion, m.ToVersion, m.IsRollback)).Should().Equal((null, 1, false), ((int?)1, 3, false), ((int?)3, 1, true));
        history[^1].At.Should().Be(_clock.GetUtcNow());
        (await reopened.GetAliasHistoryAsync("churn", ModelAliases.Challenger, None)).Should().ContainSingle();

        var saved = await reopenedStates.LoadAsync("credit-risk", None);
        saved!.Revision.Should().Be(2);
        saved.State.ToBytes().Should().Equal(state.ToBytes());
        await reopenedStates.Invoking(s => s.SaveAsync("credit-risk", state, 1, None).AsTask()).Should().ThrowAsync<LoopStateConflictException>();
        (await reopenedStates.SaveAsync("credit-risk", state, 2, None)).Should().Be(3);

        // The next version continues the file's numbering, and the next rollback reads the file's history.
        (await reopened.RegisterAsync(Registration("churn", 4), None)).Version.Should().Be(4);
        await reopened.Invoking(r => r.RollbackAsync("churn", new AliasChange("ops:bob", "again"), None)).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task GetArtifactAsync_BlobChangedWithRawSql_ThrowsInvalidDataExceptionAndOtherVersionsStillLoad()
    {
        var registry = new SqliteModelRegistry(_file.ConnectionString, _clock);
        await registry.RegisterAsync(Registration("churn", 1), None);
        await registry.RegisterAsync(Registration("churn", 2), None);
        await using (var connection = _file.OpenRaw())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE model_versions SET artifact = X'DEADBEEF' WHERE model = 'churn' AND version = 1;";
            (await command.ExecuteNonQueryAsync()).Should().Be(1);
        }

        foreach (var reader in new[] { registry, new SqliteModelRegistry(_file.ConnectionString, _clock) })
        {
            (await reader.Invoking(r => r.GetArtifactAsync("churn", 1, None)).Should().ThrowAsync<InvalidDataException>())
                .WithMessage($"*churn v1*{_file.FilePath}*SHA-256*");
            (await reader.GetArtifactAsync("churn", 2, None)).ToArray().Should().Equal(Artifact(2));
        }

        // The metadata still states what was registered.
        (await registry.GetVersionAsync("churn", 1, None))!.ArtifactSize.Should().Be(Artifact(1).Length);
    }

    [Fact]
    public async Task RegisterAsync_TwoRegistriesOnOneFileConcurrently_DistinctConsecutiveVersions()
    {
        const int PerRegistry = 20;
        SqliteModelRegistry[] registries = [new(_file.ConnectionString, _clock), new(_file.ConnectionString, _clock)];

        var registered = await AtOnceAsync(
            2 * PerRegistry,
            async seed => (Seed: seed, Version: await registries[seed % 2].RegisterAsync(Registration("churn", seed), None)));

        registered.Select(r => r.Version.Version).Order().Should().Equal(Enumerable.Range(1, 2 * PerRegistry));
        var third = new SqliteModelRegistry(_file.ConnectionString, _clock);
        (await third.ListVersionsAsync("churn", None)).Select(v => v.Version).Should().Equal(Enumerable.Range(1, 2 * PerRegistry));
        foreach (var (seed, version) in registered)
        {
            (await third.GetArtifactAsync("churn", version.Version, None)).ToArray().Should().Equal(Artifact(seed));
            version.ArtifactSha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(Artifact(seed))));
        }
    }

    [Fact]
    public async Task SetAliasAsync_TwoRegistriesOnOneFileConcurrently_HistoryIsAnUnbrokenChain()
    {
        const int Moves = 40;
        SqliteModelRegistry[] registries = [new(_file.ConnectionString, _clock), new(_file.ConnectionString, _clock)];
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
    }

    [Fact]
    public async Task SaveAsync_TwoStoresOnOneFileOverTheSameRevision_ExactlyOneWins()
    {
        SqliteLoopStateStore[] stores = [new(_file.ConnectionString), new(_file.ConnectionString)];
        await stores[0].SaveAsync("credit-risk", new StateSnapshot("Durability", 1, [0]), 0, None);

        var outcomes = await AtOnceAsync(
            16,
            async i =>
            {
                try
                {
                    return (long?)await stores[i % 2].SaveAsync("credit-risk", new StateSnapshot("Durability", 1, [(byte)i]), 1, None);
                }
                catch (LoopStateConflictException)
                {
                    return null;
                }
            });

        outcomes.Where(o => o is not null).Should().Equal(2L);
        (await stores[1].LoadAsync("credit-risk", None))!.Revision.Should().Be(2);
    }

    [Fact]
    public async Task SqlLookingTexts_StoredLiterallyAndReadBackEqual()
    {
        var registry = new SqliteModelRegistry(_file.ConnectionString, _clock);
        var states = new SqliteLoopStateStore(_file.ConnectionString);
        var lineage = new Dictionary<string, string>
        {
            [Injection] = Injection,
            ["quotes"] = "\"}, \"metrics\": {\"auc\": 1}",
            ["escapes"] = "back\\slash, tab\t, nul\0, newline\n, é, 😀",
            ["empty"] = string.Empty,
        };
        var metrics = new Dictionary<string, double> { [Injection] = 0.5, ["\"}"] = 1 };
        var registration = new ModelRegistration("model_versions", Artifact(1), Injection, metrics, lineage) { SchemaFingerprint = Injection };
        var alias = "x'); DROP TABLE model_aliases; --";
        var change = new AliasChange("'; DELETE FROM alias_moves; --", "\" OR 1=1 --");

        var version = await registry.RegisterAsync(registration, None);
        await registry.SetAliasAsync("model_versions", alias, version.Version, change, None);
        await states.SaveAsync("x'); DROP TABLE loop_state; --", new StateSnapshot("Durability", 1, [7]), 0, None);

        var reopened = new SqliteModelRegistry(_file.ConnectionString, _clock);
        var read = await reopened.GetVersionAsync("model_versions", 1, None);
        read!.Description.Should().Be(Injection);
        read.SchemaFingerprint.Should().Be(Injection);
        read.Lineage.Should().BeEquivalentTo(lineage);
        read.Metrics.Should().BeEquivalentTo(metrics);
        (await reopened.GetByAliasAsync("model_versions", alias, None))!.Version.Should().Be(1);
        var move = (await reopened.GetAliasHistoryAsync("model_versions", alias, None)).Should().ContainSingle().Subject;
        (move.Alias, move.Actor, move.Reason).Should().Be((alias, change.Actor, change.Reason));
        (await new SqliteLoopStateStore(_file.ConnectionString).LoadAsync("x'); DROP TABLE loop_state; --", None))!.Revision.Should().Be(1);
        (await states.LoadAsync("x", None)).Should().BeNull();
        (await reopened.ListVersionsAsync("model_versions", None)).Should().ContainSingle();
    }

    [Fact]
    public async Task SqlLookingModelName_RefusedByTheNameRuleOrNotFound_TablesIntact()
    {
        var registry = new SqliteModelRegistry(_file.ConnectionString, _clock);
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
        var registry = new SqliteModelRegistry(_file.ConnectionString, _clock);
        double[] values = [0.1 + 0.2, 1.0 / 3, -0.0, double.Epsilon, double.MaxValue, double.MinValue, 1e-310, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 12_500];
        var metrics = values.Select((v, i) => (Key: $"m{i}", Value: v)).ToDictionary(m => m.Key, m => m.Value);

        await registry.RegisterAsync(new ModelRegistration("churn", Artifact(1), "extremes", metrics, new Dictionary<string, string>()), None);

        var read = (await new SqliteModelRegistry(_file.ConnectionString, _clock).GetVersionAsync("churn", 1, None))!.Metrics;
        read.Keys.Should().BeEquivalentTo(metrics.Keys);
        foreach (var (key, value) in metrics)
        {
            BitConverter.DoubleToInt64Bits(read[key]).Should().Be(BitConverter.DoubleToInt64Bits(value), key);
        }
    }

    [Fact]
    public async Task LoadAsync_StateBytesChangedWithRawSql_ThrowsInvalidDataExceptionNamingTheFile()
    {
        var states = new SqliteLoopStateStore(_file.ConnectionString);
        await states.SaveAsync("credit-risk", new StateSnapshot("Durability", 1, [1, 2, 3]), 0, None);
        _file.FlipLastByte("SELECT state FROM loop_state WHERE loop = 'credit-risk';", "UPDATE loop_state SET state = $value WHERE loop = 'credit-risk';");

        (await states.Invoking(s => s.LoadAsync("credit-risk", None).AsTask()).Should().ThrowAsync<InvalidDataException>())
            .WithMessage($"*{_file.FilePath}*credit-risk*revision 1*");
    }

    [Fact]
    public async Task AnyCall_FileIsNotADatabase_ThrowsSqliteStoreExceptionNamingTheFile()
    {
        await File.WriteAllTextAsync(_file.FilePath, new string('x', 4_096));

        await new SqliteModelRegistry(_file.ConnectionString, _clock).Invoking(r => r.ListVersionsAsync("churn", None))
            .Should().ThrowAsync<SqliteStoreException>().WithMessage($"*{_file.FilePath}*");
        await new SqliteLoopStateStore(_file.ConnectionString).Invoking(s => s.LoadAsync("credit-risk", None).AsTask())
            .Should().ThrowAsync<SqliteStoreException>().WithMessage($"*{_file.FilePath}*");
    }

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

    /// <summary>
    /// Runs the calls at once, each on a thread of its own released by one gate: the registry and the store complete
    /// synchronously, so calls queued to a small thread pool would otherwise run one after the other.
    /// </summary>
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
}
